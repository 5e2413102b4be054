import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { type Client, Code, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { totpCode } from "@marquee/identity/testing";
import { codeOf, waitFor } from "@marquee/mesh/testing";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { Role } from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { type Order, OrderState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { repoRoot, type Stack, startStack } from "@marquee/scripts/stack";
import { expect } from "chai";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { signUp } from "./support/authorization/callers.js";
import { launchChromium, newBuyer, signIn, stepShots } from "./support/browser.js";
import { bearer, publishedConcert, tokenizeCard } from "./support/fixtures.js";

/**
 * The admin pages in a real Chromium against the stack `npm start` runs (issue #24): an admin finds an
 * order, refunds one of its tickets and the seat is on sale again on a buyer's live map; disables a user,
 * who can then no longer sign in; is told to sign in with a second factor before changing roles; reads
 * the sales report. Each step's screenshot is under e2e/test-output/web/.
 */
describe("the admin pages in Chromium (issue #24)", function () {
  this.timeout(240_000);
  const dataDir = join(repoRoot, ".data", "test", `e2e-web-admin-${process.pid}`);
  // Offsets ending in 85 are used by no other suite's stack (see canonical-ids.test.ts); in one mocha
  // process (one pid) this one is 200 above web.test.ts's, so neither meets the other's ports.
  const portOffset = 13_285 + (process.pid % 15) * 100;
  const refundMfaAboveMinor = 200_000;

  let stack: Stack;
  let browser: Browser;
  let catalog: Client<typeof CatalogService>;
  let inventory: Client<typeof InventoryService>;
  let ordering: Client<typeof OrderingService>;
  let identity: Client<typeof IdentityService>;
  const contexts: BrowserContext[] = [];

  const tokenize = (number: string) => tokenizeCard(stack.paymentGatewayUrl, stack.bffUrl ?? "", number);

  /** The demo customer's paid order of `seatIds`, bought through the API as checkout.test.ts does. */
  async function paidOrder(eventId: string, seatIds: string[], buyerEmail: string): Promise<Order> {
    const buyer = bearer(stack.tokens.customer);
    const { hold } = await inventory.holdSeats({ eventId, seatIds }, buyer);
    const { order } = await ordering.createOrder(
      {
        holdId: hold?.id ?? "",
        idempotencyKey: randomUUID(),
        paymentMethodToken: await tokenize("4242424242424242"),
        buyer: { name: "Farhana Akter", email: buyerEmail },
      },
      buyer,
    );
    expect(order?.state).to.equal(OrderState.CONFIRMED);
    if (order === undefined) throw new Error("CreateOrder answered no order");
    return order;
  }

  async function newPage(viewport?: { width: number; height: number }): Promise<Page> {
    const context = viewport
      ? await browser.newContext({ baseURL: stack.bffUrl ?? "", viewport, isMobile: true, hasTouch: true })
      : await newBuyer(browser, stack.bffUrl ?? "");
    contexts.push(context);
    return context.newPage();
  }

  async function adminPage(viewport?: { width: number; height: number }): Promise<Page> {
    const page = await newPage(viewport);
    await signIn(page, stack.demoAccounts.admin.email, stack.demoAccounts.admin.password);
    return page;
  }

  /** Finds the order of `buyerEmail` on the orders page and opens it. */
  async function openOrder(page: Page, buyerEmail: string, orderId: string): Promise<void> {
    await page.goto("/admin/orders");
    await page.getByLabel("Buyer's e-mail").fill(buyerEmail);
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("link", { name: orderId }).click();
    await page.getByTestId("admin-ticket-row").first().waitFor();
  }

  /** A new customer account made through the API, with its password. */
  async function newCustomer(name: string): Promise<{ email: string; password: string }> {
    const email = `${name.toLowerCase().replace(/\W+/g, ".")}.${randomUUID().slice(0, 8)}@example.test`;
    const password = "a long passphrase for the admin test";
    await identity.register({ email, password, displayName: name });
    return { email, password };
  }

  const uniqueEmail = (name: string) => `${name}.${randomUUID().slice(0, 8)}@example.test`;

  before(async () => {
    // Refunds above 2,000 taka need a second factor here, so a whole order of two 1,537.50 tickets does
    // and one of its tickets does not. The launcher hands its own environment to the services it spawns.
    const threshold = process.env.REFUND_MFA_ABOVE_MINOR;
    process.env.REFUND_MFA_ABOVE_MINOR = String(refundMfaAboveMinor);
    try {
      stack = await startStack({ dataDir, portOffset, logLevel: "warn", isRateLimited: false });
    } finally {
      if (threshold === undefined) delete process.env.REFUND_MFA_ABOVE_MINOR;
      else process.env.REFUND_MFA_ABOVE_MINOR = threshold;
    }
    if (stack.bffUrl === undefined) throw new Error("the stack started without a BFF");
    const connect = createConnectTransport({ baseUrl: stack.bffUrl, httpVersion: "1.1" });
    catalog = createClient(CatalogService, connect);
    inventory = createClient(InventoryService, connect);
    ordering = createClient(OrderingService, connect);
    identity = createClient(IdentityService, connect);
    browser = await launchChromium();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("an admin refunds one ticket of an order and the seat shows free again", async () => {
    const title = `Refund night ${randomUUID().slice(0, 6)}`;
    const eventId = await publishedConcert(catalog, stack.tokens.organizer, title);
    const buyerEmail = uniqueEmail("refund.buyer");
    const order = await paidOrder(eventId, ["stalls:A-1", "stalls:A-2"], buyerEmail);
    const shot = stepShots("admin-refunds-one-ticket");

    const admin = await adminPage();
    await openOrder(admin, buyerEmail, order.id);
    expect(await admin.getByTestId("admin-order-state").textContent()).to.equal("Confirmed");
    await shot(admin, "order-found");

    // The whole order is more than the threshold, and the demo admin signed in with a password only.
    await admin.getByRole("button", { name: "Refund whole order" }).click();
    await admin.getByRole("button", { name: "Yes, refund the whole order" }).click();
    await admin.getByTestId("second-factor-required").waitFor();
    expect(await admin.getByTestId("admin-order-state").textContent()).to.equal("Confirmed");
    await shot(admin, "whole-refund-needs-second-factor");

    await admin.getByRole("checkbox", { name: "Refund Stalls Row A, Seat 1" }).check();
    await admin.getByRole("button", { name: "Refund ticked tickets (1)" }).click();
    await admin.getByTestId("refund-done").waitFor();
    // 1,500 taka and its 2.5 % fee come back; the other ticket still admits.
    expect(await admin.getByTestId("refund-done").textContent()).to.match(/1,537\.50/);
    await admin.getByTestId("admin-order-state").getByText("Partly refunded").waitFor();
    expect(await admin.getByTestId("admin-order-refunded").textContent()).to.match(/1,537\.50/);
    expect(await admin.getByRole("checkbox", { name: "Refund Stalls Row A, Seat 1" }).isDisabled()).to.equal(true);
    await shot(admin, "one-ticket-refunded");
    const { order: after } = await ordering.getOrder({ orderId: order.id }, bearer(stack.tokens.admin));
    expect(after?.state).to.equal(OrderState.PARTIALLY_REFUNDED);
    expect(after?.refundedAmount?.amountMinor).to.equal(153_750n);

    const buyer = await newPage();
    await buyer.goto(`/events/${eventId}`);
    await buyer.locator('[data-seat-id="stalls:A-1"][data-state="free"]').waitFor();
    await buyer.locator('[data-seat-id="stalls:A-2"][data-state="sold"]').waitFor();
    await shot(buyer, "seat-free-again");

    await admin.goto(`/admin?event=${eventId}`);
    const row = admin.getByTestId("admin-report-row").filter({ hasText: title });
    await row.getByText("1,537.50").first().waitFor();
    const cells = await row.locator("td").allTextContents();
    // Starts, tickets sold, tickets refunded, revenue, refunds, net.
    expect(cells.slice(1, 3)).to.deep.equal(["2", "1"]);
    await admin.getByTestId("admin-event-report-total").waitFor();
    await shot(admin, "sales-report");
  });

  it("an admin disables a user, who can then not sign in, and is told changing roles needs a second factor", async () => {
    const customer = await newCustomer("Disabled Customer");
    const shot = stepShots("admin-disables-user");
    const admin = await adminPage();
    await admin.goto("/admin/users");
    await admin.getByLabel("E-mail").fill(customer.email);
    await admin.getByRole("button", { name: "Search" }).click();
    await admin.getByTestId("admin-user-row").first().waitFor();
    expect(await admin.getByTestId("admin-user-row").count()).to.equal(1);
    await shot(admin, "user-found");
    await admin.getByRole("link", { name: customer.email }).click();
    await admin.getByTestId("admin-user-status").getByText("Active").waitFor();

    // The demo admin signed in with a password only: SetUserRoles is refused, and the page says why.
    await admin.getByRole("checkbox", { name: "Organizer" }).check();
    await admin.getByRole("button", { name: "Save roles" }).click();
    await admin.getByTestId("second-factor-required").waitFor();
    expect(await admin.getByTestId("second-factor-required").textContent()).to.contain("two-factor");
    await shot(admin, "roles-need-second-factor");

    await admin.getByLabel(/^Reason/).fill("chargebacks on three orders");
    await admin.getByRole("button", { name: "Disable account" }).click();
    await admin.getByText("The account is disabled.").waitFor();
    await admin
      .getByTestId("admin-user-status")
      .getByText(/^Disabled since/)
      .waitFor();
    await shot(admin, "user-disabled");
    expect(await codeOf(identity.login({ email: customer.email, password: customer.password }))).to.equal(
      Code.PermissionDenied,
    );

    await admin.getByRole("button", { name: "Enable account" }).click();
    await admin.getByText("The account is enabled again.").waitFor();
    const { user } = await identity.login({ email: customer.email, password: customer.password });
    expect(user?.disabled).to.equal(false);
  });

  it("an admin turns on two-factor sign-in in the profile, signs in with a code, and may then change roles", async () => {
    const shot = stepShots("admin-two-factor");
    const fresh = await signUp(identity, stack.databaseUrl, "Second Admin", ["admin"]);
    const customer = await newCustomer("Future Organizer");
    const page = await newPage();
    await signIn(page, fresh.email, fresh.password);
    await page.goto("/profile");
    await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
    const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
    expect(secret).to.match(/^[A-Z2-7]{32}$/);
    await page.getByRole("img", { name: /QR code of your two-factor key/ }).waitFor();
    await shot(page, "enrolment");
    await page.getByLabel("Code").fill(await totpCode(secret));
    await page.getByRole("button", { name: "Confirm and turn on" }).click();
    await page.getByTestId("recovery-codes").waitFor();
    expect(await page.getByTestId("recovery-codes").locator("li").count()).to.equal(10);
    await page.getByTestId("two-factor-state").getByText("is on").waitFor();
    await shot(page, "recovery-codes");

    // Signed out and in again: the password alone is not enough; the next step's code completes it (a
    // code already used is refused as a replay).
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.goto("/sign-in");
    await page.getByLabel("E-mail").fill(fresh.email);
    await page.getByLabel("Password").fill(fresh.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: "Your second factor" }).waitFor();
    await shot(page, "second-factor");
    await page.getByLabel("Code").fill(await totpCode(secret, 1));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByTestId("signed-in-as").waitFor();

    await page.goto("/admin/users");
    await page.getByLabel("E-mail").fill(customer.email);
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("link", { name: customer.email }).click();
    await page.getByRole("checkbox", { name: "Organizer" }).check();
    await page.getByRole("button", { name: "Save roles" }).click();
    // SetUserRoles went through: the user signs in as an organizer now.
    await waitFor("the new role", async () => (await identity.login(customer)).user?.roles.includes(Role.ORGANIZER), {
      timeoutMs: 10_000,
      intervalMs: 250,
    });
    await shot(page, "roles-saved");
  });

  it("the admin pages have no serious or critical accessibility violation (axe), in English and Bengali", async () => {
    const eventId = await publishedConcert(catalog, stack.tokens.organizer, `Audit night ${randomUUID().slice(0, 6)}`);
    const buyerEmail = uniqueEmail("audit.buyer");
    const order = await paidOrder(eventId, ["stalls:B-1", "stalls:B-2"], buyerEmail);
    const customerId = stack.demoAccounts.customer.userId;
    const page = await adminPage();
    /** Each admin page, and what shows once its data is in. */
    const pagesOn = (page: Page): Record<string, { path: string; ready: () => Promise<unknown> }> => ({
      reports: { path: `/admin?event=${eventId}`, ready: () => page.getByTestId("admin-event-report-total").waitFor() },
      users: { path: "/admin/users", ready: () => page.getByTestId("admin-user-row").first().waitFor() },
      user: { path: `/admin/users/${customerId}`, ready: () => page.getByTestId("admin-user-status").waitFor() },
      orders: {
        path: `/admin/orders?email=${encodeURIComponent(buyerEmail)}`,
        ready: () => page.getByTestId("admin-order-row").first().waitFor(),
      },
      order: { path: `/admin/orders/${order.id}`, ready: () => page.getByTestId("admin-ticket-row").first().waitFor() },
    });
    const pages = pagesOn(page);
    for (const language of ["en", "bn"] as const) {
      const shot = stepShots(`admin-accessible-pages-${language}`);
      await page.evaluate((lang) => localStorage.setItem("marquee.language", lang), language);
      for (const [name, { path, ready }] of Object.entries(pages)) {
        await page.goto(path);
        await ready();
        expect(await page.locator("html").getAttribute("lang"), name).to.equal(language);
        const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa"]).analyze();
        const serious = violations
          .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
          .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
        expect(serious, `${name} in ${language}`).to.deep.equal([]);
        await shot(page, name);
      }
    }
    await page.goto("/admin/orders");
    await page.getByRole("heading", { name: "অর্ডার" }).waitFor();

    // On a phone the pages scroll only vertically: wide tables scroll inside themselves.
    const phone = await adminPage({ width: 390, height: 844 });
    const shot = stepShots("admin-phone");
    for (const [name, { path, ready }] of Object.entries(pagesOn(phone))) {
      await phone.goto(path);
      await ready();
      expect(
        await phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"),
        `${name} is no wider than the phone`,
      ).to.equal(true);
      await shot(phone, name);
    }
  });
});
