import { testRedisCluster } from "@marquee/mesh/testing";
import { expect } from "chai";
import { Cluster, Redis } from "ioredis";
import type { HoldRecord } from "../../src/domain/holds.js";
import { legMask, legsOfMask } from "../../src/domain/legs.js";
import { HoldStore } from "../../src/store/hold-store.js";
import { eventTag, holdKey, metaKey, orderKey, scriptKeys } from "../../src/store/keys.js";
import { newEventId, policy, rowsOf, sleep } from "../support/events.js";

/** A master of the test cluster, with a direct (non-cluster) connection to look inside it. */
interface Master {
  readonly port: number;
  readonly slots: readonly (readonly [number, number])[];
  readonly direct: Redis;
}

/** An event whose hash tag maps to a slot of `master`. */
interface PlacedEvent {
  readonly eventId: string;
  readonly slot: number;
  readonly master: Master;
}

const whole = { fromLeg: 0, toLeg: 1 };

describe("HoldStore on a 3-master Redis Cluster", () => {
  let cluster: Cluster;
  let store: HoldStore;
  let masters: Master[] = [];
  const clients: Cluster[] = [];

  before(async function () {
    this.timeout(60_000);
    const nodes = await testRedisCluster();
    cluster = new Cluster([...nodes]);
    store = new HoldStore(cluster);
    await store.init();
    // Each range: first slot, last slot, then its master (host, port, id) and replicas (none here).
    const ranges = (await cluster.cluster("SLOTS")).map(([from, to, master]) => ({ from, to, port: master?.[1] }));
    const ports = [...new Set(ranges.map((range) => range.port))].filter((port) => port !== undefined);
    masters = ports.map((port) => ({
      port,
      slots: ranges.filter((range) => range.port === port).map(({ from, to }) => [from, to] as const),
      direct: new Redis({ host: "127.0.0.1", port }),
    }));
  });

  after(async () => {
    await Promise.all([cluster.quit(), ...clients.map((c) => c.quit()), ...masters.map((m) => m.direct.quit())]);
  });

  /** The master owning a slot, by CLUSTER SLOTS. */
  function ownerOf(slot: number): Master {
    const owner = masters.find((m) => m.slots.some(([from, to]) => slot >= from && slot <= to));
    if (!owner) throw new Error(`no master owns slot ${slot}`);
    return owner;
  }

  /** A fresh event on each master: random ids until CLUSTER KEYSLOT has put one on every master. */
  async function eventPerMaster(): Promise<PlacedEvent[]> {
    const placed = new Map<number, PlacedEvent>();
    while (placed.size < masters.length) {
      const eventId = newEventId();
      const slot = Number(await cluster.cluster("KEYSLOT", metaKey(eventId)));
      const master = ownerOf(slot);
      if (!placed.has(master.port)) placed.set(master.port, { eventId, slot, master });
    }
    return [...placed.values()];
  }

  async function held(eventId: string, seatIndexes: number[], userId = "u1", legs = whole): Promise<HoldRecord> {
    const outcome = await store.hold({ eventId, userId, seatIndexes, legs, policy });
    if (outcome.kind !== "held") throw new Error(`hold of ${seatIndexes} gave ${outcome.kind}`);
    return outcome.hold;
  }

  it("runs on three masters that split the slots", () => {
    expect(masters).to.have.length(3);
    const owned = masters.flatMap((m) => m.slots).reduce((sum, [from, to]) => sum + to - from + 1, 0);
    expect(owned).to.equal(16_384);
  });

  it("puts events with different hash tags on different masters, each event's keys on its slot's master only", async () => {
    const events = await eventPerMaster();
    expect(new Set(events.map((e) => e.master.port)).size).to.equal(3);
    for (const { eventId, slot, master } of events) {
      await store.loadEvent(eventId, 10, 1, rowsOf(10, 5));
      const hold = await held(eventId, [1, 2]);
      expect((await store.commit(eventId, hold.id, "o-1")).kind).to.equal("ok");
      const keys = [...scriptKeys(eventId, holdKey(eventId, hold.id), orderKey(eventId, "o-1"))];
      for (const key of keys) expect(Number(await master.direct.cluster("KEYSLOT", key)), key).to.equal(slot);

      const onOwner = (await master.direct.cluster("GETKEYSINSLOT", slot, 1000)) as string[];
      // A committed hold leaves no expiry and no per-user held count, so those two keys are gone.
      const present = keys.filter((k) => !k.endsWith(":expiries") && !k.endsWith(":user-held"));
      expect(onOwner.filter((k) => k.startsWith(eventTag(eventId)))).to.have.members(present);
      for (const other of masters.filter((m) => m !== master)) {
        expect(await other.direct.cluster("COUNTKEYSINSLOT", slot), `master ${other.port}`).to.equal(0);
      }
    }
  });

  it("holds named seats and names each conflicting seat and leg, on every master", async () => {
    for (const { eventId } of await eventPerMaster()) {
      await store.loadEvent(eventId, 40, 4, rowsOf(40, 4));
      const rahim = await held(eventId, [6], "rahim", { fromLeg: 0, toLeg: 2 });
      const karim = await held(eventId, [6], "karim", { fromLeg: 2, toLeg: 4 });
      expect(rahim.legMask).to.equal(0b0011);
      expect((await store.commit(eventId, karim.id, "o-karim")).kind).to.equal("ok");
      const refused = await store.hold({
        eventId,
        userId: "u3",
        seatIndexes: [5, 6],
        legs: { fromLeg: 1, toLeg: 4 },
        policy,
      });
      expect(refused).to.deep.equal({ kind: "taken", conflicts: [{ seatIndex: 6, heldLegs: [1], soldLegs: [2, 3] }] });
      const { held: heldBytes, sold } = await store.seatStates(eventId);
      expect([heldBytes[5], heldBytes[6], sold[6]]).to.deep.equal([0, 0b0011, 0b1100]);
    }
  });

  it("holds the best available seats, adjacent in the front-most row that has them, on every master", async () => {
    for (const { eventId } of await eventPerMaster()) {
      await store.loadEvent(eventId, 20, 1, rowsOf(20, 10));
      await held(eventId, [2]);
      const request = { eventId, userId: "u2", legs: whole, policy, requireAdjacent: true };
      const eight = await store.holdBestAvailable({ ...request, quantity: 8 });
      expect(eight.kind === "held" && eight.hold.seatIndexes).to.deep.equal([10, 11, 12, 13, 14, 15, 16, 17]);
      const five = await store.holdBestAvailable({ ...request, userId: "u3", quantity: 5 });
      expect(five.kind === "held" && five.hold.seatIndexes).to.deep.equal([3, 4, 5, 6, 7]);
      expect(await store.holdBestAvailable({ ...request, userId: "u4", quantity: 3 })).to.deep.equal({
        kind: "no-seats-free",
      });
    }
  });

  it("extends a hold until no extensions are left, on every master", async () => {
    for (const { eventId } of await eventPerMaster()) {
      await store.loadEvent(eventId, 5, 1, rowsOf(5, 5));
      const outcome = await store.hold({
        eventId,
        userId: "u1",
        seatIndexes: [0],
        legs: whole,
        policy: { ...policy, extensions: 1 },
      });
      if (outcome.kind !== "held") throw new Error(`hold gave ${outcome.kind}`);
      expect((await store.extend(eventId, outcome.hold.id, "u2", policy.holdTtlMs)).kind).to.equal("not-found");
      const extended = await store.extend(eventId, outcome.hold.id, "u1", policy.holdTtlMs);
      if (extended.kind !== "ok") throw new Error(`extend gave ${extended.kind}`);
      expect(extended.hold.expiresAtMs).to.equal(outcome.hold.expiresAtMs + policy.holdTtlMs);
      expect(extended.hold.extensionsLeft).to.equal(0);
      expect((await store.extend(eventId, outcome.hold.id, "u1", policy.holdTtlMs)).kind).to.equal(
        "no-extensions-left",
      );
      expect((await store.getHold(eventId, outcome.hold.id))?.expiresAtMs).to.equal(extended.hold.expiresAtMs);
    }
  });

  it("releases a hold once, freeing its seats for the next buyer, on every master", async () => {
    for (const { eventId } of await eventPerMaster()) {
      await store.loadEvent(eventId, 5, 1, rowsOf(5, 5));
      const hold = await held(eventId, [0, 1]);
      expect((await store.release(eventId, hold.id, "u2")).kind).to.equal("not-found");
      const released = await store.release(eventId, hold.id, "u1");
      expect(released.kind === "ok" && released.hold.state).to.equal("released");
      expect((await store.seatStates(eventId)).held.subarray(0, 2)).to.deep.equal(Buffer.from([0, 0]));
      expect((await store.release(eventId, hold.id, "")).kind).to.equal("ok");
      expect((await held(eventId, [0, 1], "u2")).seatIndexes).to.deep.equal([0, 1]);
    }
  });

  it("commits a hold for one order only and refunds its seats, on every master", async () => {
    for (const { eventId } of await eventPerMaster()) {
      await store.loadEvent(eventId, 10, 1, rowsOf(10, 5));
      const hold = await held(eventId, [3, 4]);
      const committed = await store.commit(eventId, hold.id, "o-1");
      expect(committed.kind === "ok" && committed.hold.state).to.equal("committed");
      expect((await store.commit(eventId, hold.id, "o-1")).kind).to.equal("ok");
      expect((await store.commit(eventId, hold.id, "o-2")).kind).to.equal("other-order");
      expect((await store.seatStates(eventId)).sold.subarray(3, 5)).to.deep.equal(Buffer.from([1, 1]));

      expect(await store.releaseSold(eventId, "o-1", [4])).to.deep.equal({
        kind: "ok",
        released: [{ seatIndex: 4, legMask: 1 }],
      });
      expect((await held(eventId, [4], "u2")).seatIndexes).to.deep.equal([4]);
      const taken = await store.hold({ eventId, userId: "u2", seatIndexes: [3], legs: whole, policy });
      expect(taken).to.deep.equal({ kind: "taken", conflicts: [{ seatIndex: 3, heldLegs: [], soldLegs: [0] }] });
      expect(await store.releaseSold(eventId, "o-1")).to.deep.equal({
        kind: "ok",
        released: [{ seatIndex: 3, legMask: 1 }],
      });
      expect(await store.releaseSold(eventId, "o-unknown")).to.deep.equal({ kind: "not-found" });
    }
  });

  it("sweeps lapsed holds, whose keys the script derives, on every master", async () => {
    for (const { eventId } of await eventPerMaster()) {
      await store.loadEvent(eventId, 5, 1, rowsOf(5, 5));
      const short = { ...policy, holdTtlMs: 30 };
      const a = await store.hold({ eventId, userId: "u1", seatIndexes: [0], legs: whole, policy: short });
      const b = await store.hold({ eventId, userId: "u2", seatIndexes: [1, 2], legs: whole, policy: short });
      const live = await held(eventId, [3]);
      if (a.kind !== "held" || b.kind !== "held") throw new Error("hold failed");
      await sleep(60);
      const swept = await store.sweep(eventId);
      expect(swept.map((h) => h.holdId)).to.have.members([a.hold.id, b.hold.id]);
      expect(swept.find((h) => h.holdId === b.hold.id)?.seatIndexes).to.deep.equal([1, 2]);
      expect((await store.getHold(eventId, a.hold.id))?.state).to.equal("expired");
      expect((await store.getHold(eventId, live.id))?.state).to.equal("active");
      expect([...(await store.seatStates(eventId)).held.subarray(0, 4)]).to.deep.equal([0, 0, 0, 1]);
      expect(await store.sweep(eventId)).to.deep.equal([]);
    }
  });

  it("closes sales, releasing live holds whose keys the script derives, on every master", async () => {
    for (const { eventId } of await eventPerMaster()) {
      await store.loadEvent(eventId, 5, 1, rowsOf(5, 5));
      const live = await held(eventId, [0, 1]);
      expect(await store.closeSales(eventId)).to.deep.equal({ released: 1, left: 0 });
      expect((await store.getHold(eventId, live.id))?.state).to.equal("released");
      expect((await store.hold({ eventId, userId: "u2", seatIndexes: [2], legs: whole, policy })).kind).to.equal(
        "sales-closed",
      );
      expect(await store.loadEvent(eventId, 5, 1, rowsOf(5, 5))).to.equal("kept");
      expect(await store.isClosed(eventId)).to.equal(true);
    }
  });

  it("loads an event with the ledger's sales, keeps it on a repeat and rebuilds it, on every master", async () => {
    for (const { eventId } of await eventPerMaster()) {
      const ledger = [
        { seatIndex: 2, leg: 0, orderId: "o-1", userId: "u1" },
        { seatIndex: 2, leg: 1, orderId: "o-1", userId: "u1" },
        { seatIndex: 3, leg: 1, orderId: "o-2", userId: "u2" },
      ];
      expect(await store.loadEvent(eventId, 10, 2, rowsOf(10, 5), ledger)).to.equal("loaded");
      expect([...(await store.seatStates(eventId)).sold.subarray(2, 4)]).to.deep.equal([0b11, 0b10]);
      const onLeg0 = await held(eventId, [3]);
      expect(await store.hold({ eventId, userId: "u3", seatIndexes: [2], legs: whole, policy })).to.deep.equal({
        kind: "taken",
        conflicts: [{ seatIndex: 2, heldLegs: [], soldLegs: [0] }],
      });
      // The order keys were derived inside the load script; refunds reach them through declared keys.
      expect(await store.releaseSold(eventId, "o-2")).to.deep.equal({
        kind: "ok",
        released: [{ seatIndex: 3, legMask: 0b10 }],
      });
      expect(await store.loadEvent(eventId, 10, 2, rowsOf(10, 5), ledger)).to.equal("kept");
      expect((await store.getHold(eventId, onLeg0.id))?.state).to.equal("active");

      expect(await store.rebuild(eventId, [{ seatIndex: 5, leg: 0, orderId: "o-3", userId: "u3" }])).to.deep.equal({
        soldSeatLegs: 1,
      });
      expect((await store.getHold(eventId, onLeg0.id))?.state).to.equal("released");
      const { held: heldBytes, sold } = await store.seatStates(eventId);
      expect([...heldBytes]).to.deep.equal(new Array(10).fill(0));
      expect([...sold]).to.deep.equal([0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
      expect(await store.releaseSold(eventId, "o-1")).to.deep.equal({ kind: "not-found" });
      expect(await store.releaseSold(eventId, "o-3")).to.deep.equal({
        kind: "ok",
        released: [{ seatIndex: 5, legMask: 1 }],
      });

      const live = await held(eventId, [0]);
      expect(await store.loadEvent(eventId, 12, 2, rowsOf(12, 6))).to.equal("loaded");
      expect(await store.getHold(eventId, live.id)).to.equal(undefined);
    }
  });

  it("never holds a seat-leg twice across 1,000 overlapping multi-seat holds racing on one event", async () => {
    const SEATS = 100;
    const LEGS = 3;
    const [{ eventId }] = (await eventPerMaster()) as [PlacedEvent];
    await store.loadEvent(eventId, SEATS, LEGS, rowsOf(SEATS, 10));
    // Several clients, as several replicas of the service would be, each with its own connection per master.
    for (let i = 0; i < 8; i++) clients.push(new Cluster([...(await testRedisCluster())]));
    const stores = clients.map((client) => new HoldStore(client));
    const uncapped = { maxSeatsPerUser: 0, holdTtlMs: 60_000, extensions: 0 };
    let seed = 7;
    // A seeded LCG, scaled from its high bits (its low bits repeat with short periods).
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    const attempts = Array.from({ length: 1000 }, (_, i) => {
      const first = random(SEATS - 4);
      const seatIndexes = [...new Set([first, ...Array.from({ length: 1 + random(3) }, () => first + 1 + random(4))])];
      const fromLeg = random(LEGS);
      return { i, seatIndexes, legs: { fromLeg, toLeg: fromLeg + 1 + random(LEGS - fromLeg) } };
    });
    const won: HoldRecord[] = [];
    const sold = new Set<string>();
    let taken = 0;
    await Promise.all(
      attempts.map(async ({ i, seatIndexes, legs }) => {
        const s = stores[i % stores.length] as HoldStore;
        const outcome = await s.hold({ eventId, userId: `u${i % 37}`, seatIndexes, legs, policy: uncapped });
        if (outcome.kind === "held") {
          won.push(outcome.hold);
          // A third of the winners buy, so the end state mixes held and sold.
          if (i % 3 === 0) {
            expect((await s.commit(eventId, outcome.hold.id, `o${i}`)).kind).to.equal("ok");
            sold.add(outcome.hold.id);
          }
        } else {
          expect(outcome.kind).to.equal("taken");
          taken++;
        }
      }),
    );
    expect(won.length + taken).to.equal(1000);
    // Real contention: most attempts lose (about 70 of 1,000 win on a typical run).
    expect(won.length).to.be.greaterThan(40);
    expect(taken).to.be.greaterThan(500);

    const owner = new Map<string, string>();
    for (const hold of won) {
      for (const seat of hold.seatIndexes) {
        for (let leg = 0; leg < LEGS; leg++) {
          if (!(hold.legMask & (1 << leg))) continue;
          expect(owner.get(`${seat}/${leg}`), `seat ${seat} leg ${leg}`).to.equal(undefined);
          owner.set(`${seat}/${leg}`, hold.id);
        }
      }
    }
    const states = await store.seatStates(eventId);
    for (let seat = 0; seat < SEATS; seat++) {
      for (let leg = 0; leg < LEGS; leg++) {
        const bit = legMask(leg, leg + 1);
        const holder = owner.get(`${seat}/${leg}`);
        const isHeld = ((states.held[seat] ?? 0) & bit) !== 0;
        const isSold = ((states.sold[seat] ?? 0) & bit) !== 0;
        expect([isHeld, isSold], `seat ${seat} leg ${leg}`).to.deep.equal([
          holder !== undefined && !sold.has(holder),
          holder !== undefined && sold.has(holder),
        ]);
      }
    }
    // Counted per user and leg: on a trip each field is `<user>/<leg>`, the seats the user has on that leg.
    const perUser = (holds: HoldRecord[]) => {
      const counts: Record<string, string> = {};
      for (const h of holds) {
        for (const leg of legsOfMask(h.legMask)) {
          const field = `${h.userId}/${leg}`;
          counts[field] = String(Number(counts[field] ?? 0) + h.seatIndexes.length);
        }
      }
      return counts;
    };
    const tag = eventTag(eventId);
    expect(await cluster.hgetall(`${tag}:user-held`)).to.deep.equal(perUser(won.filter((h) => !sold.has(h.id))));
    expect(await cluster.hgetall(`${tag}:user-sold`)).to.deep.equal(perUser(won.filter((h) => sold.has(h.id))));
    expect(await cluster.zcard(`${tag}:expiries`)).to.equal(won.length - sold.size);
  });

  // The ground sweep, load and rebuild stand on: a script without a shebang (as the hold scripts are)
  // may touch keys it did not declare when this node owns them. Redis 7.0 checks only that, not the slot;
  // the hold scripts stay in one slot because every key they derive starts with KEYS[1]'s `{ev:<id>}`.
  it("lets a flagless script touch undeclared keys its node owns, refusing only another node's", async () => {
    const [a, b] = (await eventPerMaster()) as [PlacedEvent, PlacedEvent];
    let sameMaster = newEventId();
    while (ownerOf(Number(await cluster.cluster("KEYSLOT", metaKey(sameMaster)))) !== a.master)
      sameMaster = newEventId();
    const ownSlot = `local k = string.sub(KEYS[1], 1, -6) .. ':undeclared'
      redis.call('SET', k, 'v', 'PX', 60000)
      return redis.call('GET', k)`;
    expect(await cluster.eval(ownSlot, 1, metaKey(a.eventId))).to.equal("v");
    const read = "redis.call('SET', ARGV[1], 'w', 'PX', 60000) return redis.call('GET', ARGV[1])";
    expect(await cluster.eval(read, 1, metaKey(a.eventId), `${eventTag(sameMaster)}:x`)).to.equal("w");
    const refusal = await cluster.eval(read, 1, metaKey(a.eventId), `${eventTag(b.eventId)}:x`).then(
      () => "",
      (error: Error) => error.message,
    );
    expect(refusal).to.match(/non local key/);
    // With a `#!lua` shebang Redis also refuses another slot of the same node.
    const strict = await cluster.eval(`#!lua\n${read}`, 1, metaKey(a.eventId), `${eventTag(sameMaster)}:y`).then(
      () => "",
      (error: Error) => error.message,
    );
    expect(strict).to.match(/do not hash to the same slot/);
  });

  it("reloads the scripts on every master after SCRIPT FLUSH, with or without init", async () => {
    const events = await eventPerMaster();
    for (const { eventId } of events) await store.loadEvent(eventId, 5, 1, rowsOf(5, 5));
    const cachedScripts = () =>
      Promise.all(
        masters.map(async (m) => Number(/number_of_cached_scripts:(\d+)/.exec(await m.direct.info("memory"))?.[1])),
      );
    await Promise.all(masters.map((m) => m.direct.script("FLUSH")));
    expect(await cachedScripts()).to.deep.equal([0, 0, 0]);
    for (const { eventId } of events) expect((await held(eventId, [0])).seatIndexes).to.deep.equal([0]);
    expect(await cachedScripts()).to.deep.equal([1, 1, 1]);

    await Promise.all(masters.map((m) => m.direct.script("FLUSH")));
    const fresh = new Cluster([...(await testRedisCluster())], { lazyConnect: true });
    clients.push(fresh);
    const uninitialised = new HoldStore(fresh);
    for (const { eventId } of events) {
      const release = await uninitialised.sweep(eventId);
      expect(release).to.deep.equal([]);
      const outcome = await uninitialised.hold({ eventId, userId: "u2", seatIndexes: [1], legs: whole, policy });
      expect(outcome.kind).to.equal("held");
    }
    await uninitialised.init();
    expect(await cachedScripts()).to.deep.equal([10, 10, 10]);
  });
});
