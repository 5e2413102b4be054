import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { waitFor } from "@marquee/mesh/testing";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { OrderState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { repoRoot, type Stack, startStack } from "@marquee/scripts/stack";
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { launchChromium, newBuyer, signIn, stepShots } from "./support/browser.js";
import { bearer } from "./support/fixtures.js";

/**
 * The organizer console in a real Chromium against the stack `npm start` runs (issue #24): a venue drawn
 * in the seat-map editor, an event created on it, priced and published, and a buyer's sale showing up
 * on the live sales page. Each step's screenshot is under e2e/test-output/web/.
 */
describe("the organizer console in Chromium (issue #24)", function () {
  this.timeout(240_000);
  const dataDir = join(repoRoot, ".data", "test", `e2e-web-organizer-${process.pid}`);
  // Offsets ending in 85 are used by no other stack of the suites; 13_185 is this suite's, beside web.test.ts's 13_085.
  const portOffset = 13_185 + (process.pid % 15) * 100;

  let stack: Stack;
  let browser: Browser;
  let catalog: Client<typeof CatalogService>;
  let inventory: Client<typeof InventoryService>;
  let ordering: Client<typeof OrderingService>;

  /** No serious or critical WCAG 2.1 AA violation on the page as it is now. */
  async function expectAccessible(page: Page, name: string): Promise<void> {
    const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa"]).analyze();
    const serious = violations
      .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
    expect(serious, name).to.deep.equal([]);
  }

  /** A buyer pays for `seatId` through the BFF as the web app does: hold, tokenize at the gateway, order. */
  async function buySeat(eventId: string, seatId: string): Promise<void> {
    const buyer = bearer(stack.tokens.customer);
    const { hold } = await inventory.holdSeats({ eventId, seatIds: [seatId] }, buyer);
    const response = await fetch(`${stack.paymentGatewayUrl}/v1/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: stack.bffUrl ?? "" },
      body: JSON.stringify({
        card: { number: "4242424242424242", exp_month: 12, exp_year: new Date().getUTCFullYear() + 2, cvc: "123" },
      }),
    });
    const { id: paymentMethodToken } = (await response.json()) as { id: string };
    const request = {
      holdId: hold?.id ?? "",
      idempotencyKey: randomUUID(),
      paymentMethodToken,
      buyer: { name: "Nusrat Jahan", email: "nusrat@example.test", phone: "+8801712345678" },
    };
    const { order } = await ordering.createOrder(request, buyer);
    // A loaded machine can answer PENDING while the saga runs: read it again as a patient client does.
    await waitFor("the order to be confirmed", async () => {
      const { order: now } = await ordering.getOrder({ orderId: order?.id ?? "" }, buyer);
      return now?.state === OrderState.CONFIRMED;
    });
  }

  before(async () => {
    stack = await startStack({ dataDir, portOffset, logLevel: "warn", isRateLimited: false });
    if (stack.bffUrl === undefined) throw new Error("the stack started without a BFF");
    const connect = createConnectTransport({ baseUrl: stack.bffUrl, httpVersion: "1.1" });
    catalog = createClient(CatalogService, connect);
    inventory = createClient(InventoryService, connect);
    ordering = createClient(OrderingService, connect);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("an organizer builds a venue in the editor, creates and publishes an event, and sees a sale appear in the live chart", async () => {
    const suffix = randomUUID().slice(0, 6);
    const shot = stepShots("organizer-venue-event-sale");
    const context = await newBuyer(browser, stack.bffUrl ?? "");
    // A step that waits longer than this has failed: say so before mocha's timeout hides which.
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const { email, password } = stack.demoAccounts.organizer;
    await signIn(page, email, password);

    await page.getByRole("link", { name: "Organizer", exact: true }).click();
    await page.getByRole("heading", { name: "Organizer console" }).waitFor();
    await shot(page, "console");
    await expectAccessible(page, "the console");

    // The venue: a seated block of 2 × 6 with an aisle after seat 3, one seat accessible, one removed,
    // moved on the canvas, and a standing area.
    await page.getByRole("link", { name: "New venue" }).click();
    await page.getByLabel("Venue name").fill(`Organizer hall ${suffix}`);
    await page.getByLabel("City", { exact: true }).fill("Khulna");
    await page.getByRole("button", { name: "Add seated section" }).click();
    await page.getByLabel("Section name").fill("Stalls");
    await page.getByLabel("Rows", { exact: true }).fill("2");
    await page.getByLabel("Seats per row").fill("6");
    await page.getByLabel("Aisle after seats").fill("3");
    await page.getByRole("button", { name: "Generate seats" }).click();
    const seat = (name: RegExp) => page.getByRole("img", { name });
    await seat(/^Stalls, row B, seat 6,/).waitFor();
    expect(await page.locator("[data-seat-label]").count()).to.equal(12);

    await seat(/^Stalls, row A, seat 1,/).click();
    await page.getByLabel("Wheelchair accessible").check();
    await seat(/^Stalls, row B, seat 6,/).click();
    await page.getByRole("button", { name: "Remove seat" }).click();
    await seat(/^Stalls, row B, seat 6, standard, removed/).waitFor();

    // Dragged two seats' widths to the right (the canvas's scale read from its drawn size).
    const canvas = page.getByRole("application", { name: "Seat map editor" });
    const box = await canvas.boundingBox();
    const viewWidth = Number((await canvas.getAttribute("viewBox"))?.split(" ")[2]);
    const from = await seat(/^Stalls, row A, seat 2,/).boundingBox();
    if (!box || !from) throw new Error("the editor is not drawn");
    const pixelsPerUnit = box.width / viewWidth;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2 + pixelsPerUnit, from.y + from.height / 2, { steps: 4 });
    await page.mouse.move(from.x + from.width / 2 + 2 * pixelsPerUnit, from.y + from.height / 2, { steps: 4 });
    await page.mouse.up();
    await page.getByRole("group", { name: "Section Stalls, at column 2, row 0" }).waitFor();

    await page.getByRole("button", { name: "Add standing area" }).click();
    await page.getByLabel("Section name").fill("Standing");
    await page.getByLabel("Places").fill("30");
    await shot(page, "venue-editor");
    await expectAccessible(page, "the venue editor");
    await page.getByRole("button", { name: "Create venue" }).click();
    await page.waitForURL(/\/organizer\/venues\/[\w-]+$/);
    await page.getByRole("heading", { name: `Venue: Organizer hall ${suffix}` }).waitFor();
    await seat(/^Stalls, row A, seat 1, standard, accessible$/).waitFor();
    await shot(page, "venue-saved");

    // Edited again from the keyboard: the stalls one row down, saved through UpdateVenue.
    await canvas.focus();
    await page.keyboard.press("ArrowDown");
    await page.getByRole("group", { name: "Section Stalls, at column 2, row 1" }).waitFor();
    await page.getByRole("button", { name: "Save venue" }).click();
    await page.getByTestId("venue-saved").waitFor();

    const venueId = page.url().split("/").at(-1) ?? "";
    const { seats } = await catalog.listVenueSeats({ venueId }, bearer(stack.tokens.organizer));
    expect(seats.map((s) => s.id))
      .to.include("stalls:A-2")
      .and.not.include("stalls:B-6");
    expect(seats.find((s) => s.id === "stalls:A-1")).to.include({ isAccessible: true, x: 2, y: 1 });
    // The aisle after seat 3: seat 4 sits a unit further on.
    expect(seats.find((s) => s.id === "stalls:A-4")?.x).to.equal(6);

    // The event: a draft on that venue, a price per section, published.
    await page.goto("/organizer");
    await page.getByRole("link", { name: "New event or trip" }).click();
    const title = `Khulna night ${suffix}`;
    await page.getByLabel("Venue", { exact: true }).selectOption({ label: `Organizer hall ${suffix}` });
    await page.getByLabel("Title").fill(title);
    const start = new Date(Date.now() + 30 * 86_400_000);
    const local = (date: Date) =>
      new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.getByLabel("Starts").fill(local(start));
    await page.getByLabel("Ends").fill(local(new Date(start.getTime() + 3 * 3_600_000)));
    await page.getByRole("button", { name: "A price per section" }).click();
    await page.getByLabel("Price of Stalls").fill("1200");
    // The standing area left without a price: the server's complaint shows under that field.
    await page.getByRole("button", { name: "Create draft" }).click();
    await page.getByText("is required").first().waitFor();
    await shot(page, "price-missing");
    await page.getByLabel("Price of Standing").fill("500");
    await page.getByRole("button", { name: "Create draft" }).click();
    await page.waitForURL(/\/organizer\/events\/[\w-]+$/);
    await page.getByTestId("event-state").filter({ hasText: "Draft" }).waitFor();
    await page.getByRole("button", { name: "Publish" }).click();
    await page.getByTestId("event-state").filter({ hasText: "On sale" }).waitFor();
    await shot(page, "published");
    await expectAccessible(page, "the event page");
    const eventId = page.url().split("/").at(-1) ?? "";

    // The live sales page: nothing sold, then a buyer's seat appears without a reload.
    await page.getByRole("link", { name: "Sales" }).click();
    await page.getByTestId("count-free").filter({ hasText: "41" }).waitFor();
    expect(await page.getByTestId("count-sold").textContent()).to.equal("0");
    await shot(page, "sales-before");
    await expectAccessible(page, "the sales page");

    await buySeat(eventId, "stalls:A-2");
    await page.getByTestId("count-sold").filter({ hasText: /^1$/ }).waitFor({ timeout: 15_000 });
    await page.getByTestId("tickets-sold").filter({ hasText: /^1$/ }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId("revenue-total").textContent()).to.match(/1,2\d\d\.\d\d/);
    expect(await page.getByTestId("revenue-bar").count()).to.be.greaterThan(0);
    expect(await page.getByRole("img", { name: /^1 sold, 0 held, 40 free$/ }).count()).to.equal(1);
    await shot(page, "sales-after");

    // Called off with a reason: sales stop, and the console says so.
    await page.getByRole("link", { name: "Manage event" }).click();
    await page.getByRole("button", { name: "Cancel event" }).click();
    await page.getByLabel("Reason, told to buyers").fill("The hall flooded");
    await page.getByRole("button", { name: "Cancel it and refund buyers" }).click();
    await page.getByTestId("event-state").filter({ hasText: "Cancelled" }).waitFor({ timeout: 30_000 });
    await page.getByText("Cancelled: The hall flooded").waitFor();
    await shot(page, "cancelled");
    await context.close();
  });
  it("an organizer creates a trip along three stops with a fare per leg, and publishes it", async () => {
    const suffix = randomUUID().slice(0, 6);
    const shot = stepShots("organizer-trip");
    const organizer = bearer(stack.tokens.organizer);
    const coach = `Coach ${suffix} (2+2)`;
    await catalog.createVenue(
      {
        venue: {
          name: coach,
          sections: [
            {
              id: "coach",
              name: "Coach",
              layout: { case: "seated", value: { generator: { rowCount: 3, seatsPerRow: 4, aisleAfterSeats: [2] } } },
            },
          ],
        },
      },
      organizer,
    );
    const context = await newBuyer(browser, stack.bffUrl ?? "");
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const { email, password } = stack.demoAccounts.organizer;
    await signIn(page, email, password);

    await page.goto("/organizer/events/new");
    await page.getByLabel("Kind").selectOption({ label: "Trip (a route with stops)" });
    await page.getByLabel("Category").selectOption({ label: "Coaches" });
    await page.getByLabel("Vehicle layout").selectOption({ label: coach });
    const title = `Dhaka → Benapole ${suffix}`;
    await page.getByLabel("Title").fill(title);
    await page.getByRole("button", { name: "Add stop" }).click();
    const departure = new Date(Date.now() + 10 * 86_400_000);
    const at = (hours: number) => {
      const date = new Date(departure.getTime() + hours * 3_600_000);
      return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    };
    const stops = [
      { name: "Sayedabad", city: "Dhaka", leaves: at(0) },
      { name: "Faridpur Bus Stand", city: "Faridpur", arrives: at(3), leaves: at(3.25) },
      { name: "Benapole Border", city: "Benapole", arrives: at(6) },
    ];
    for (const [i, stop] of stops.entries()) {
      const group = page.getByRole("group", { name: `Stop ${i + 1}`, exact: true });
      await group.getByLabel("Stop", { exact: true }).fill(stop.name);
      await group.getByLabel("City").fill(stop.city);
      if (stop.arrives) await group.getByLabel("Arrives").fill(stop.arrives);
      if (stop.leaves) await group.getByLabel("Leaves").fill(stop.leaves);
    }
    await page.getByLabel("Fare from Sayedabad to Faridpur Bus Stand").fill("450");
    await page.getByLabel("Fare from Faridpur Bus Stand to Benapole Border").fill("350");
    await shot(page, "trip-form");
    await page.getByRole("button", { name: "Create draft" }).click();
    await page.waitForURL(/\/organizer\/events\/[\w-]+$/);
    await page.getByRole("button", { name: "Publish" }).click();
    await page.getByTestId("event-state").filter({ hasText: "On sale" }).waitFor();
    await shot(page, "trip-published");

    const { event } = await catalog.getEvent({ eventId: page.url().split("/").at(-1) ?? "" }, organizer);
    expect(event?.stops.map((stop) => stop.city)).to.deep.equal(["Dhaka", "Faridpur", "Benapole"]);
    expect(event?.fares.map((fare) => fare.price?.amountMinor)).to.deep.equal([45_000n, 35_000n]);
    await context.close();
  });
  it("the console's pages have no serious or critical accessibility violation in Bengali either", async () => {
    const shot = stepShots("organizer-accessible-bn");
    const context = await newBuyer(browser, stack.bffUrl ?? "");
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const { email, password } = stack.demoAccounts.organizer;
    await signIn(page, email, password);
    await page.getByLabel("Language").selectOption("bn");

    await page.goto("/organizer");
    await page.getByRole("heading", { name: "আয়োজক কনসোল" }).waitFor();
    await expectAccessible(page, "the console in Bengali");
    await shot(page, "console");

    await page.goto("/organizer/venues/new");
    await page.getByRole("button", { name: "আসনসহ অংশ যোগ করুন" }).click();
    await page.getByRole("button", { name: "আসন তৈরি করুন" }).click();
    await page.locator("[data-seat-label]").first().waitFor();
    await expectAccessible(page, "the venue editor in Bengali");
    await shot(page, "venue-editor");

    await page.goto("/organizer/events/new");
    await page.getByRole("button", { name: "খসড়া তৈরি করুন" }).waitFor();
    await expectAccessible(page, "the event form in Bengali");
    await shot(page, "event-form");

    // The demo data's events are the organizer's: the first one's sales, live.
    await page.goto("/organizer");
    await page.getByTestId("organizer-event").first().getByRole("link").last().click();
    await page.getByTestId("availability-chart").waitFor();
    await expectAccessible(page, "the sales page in Bengali");
    await shot(page, "sales");
    await context.close();
  });
});
