import { once } from "node:events";
import { createServer as createHttp1Server } from "node:http";
import { createServer as createHttp2Server, type Http2Session } from "node:http2";
import { createServer as createNetServer, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { NodeRequest, NodeResponse } from "./node-http.js";

/** A request handler both Node servers accept: connect-node's adapter is one. */
export type RequestHandler = (request: NodeRequest, response: NodeResponse) => void;

/**
 * The largest header block (names and values) either transport reads: HTTP/2's default
 * SETTINGS_MAX_HEADER_LIST_SIZE, given to HTTP/1.1 too in place of Node's 16 KiB, which a long token and
 * a few cookies reach. Past it Node refuses the request before any handler sees it — 431 on HTTP/1.1, a
 * refused stream on HTTP/2 — as Envoy does past its own 60 KiB; `limitingHeaders` answers a smaller
 * block that is still too large in the protocol's form.
 */
export const maxHeaderBytes = 64 * 1024;

/** Timeouts of the connections a {@link Listener} accepts. */
export interface ListenerOptions {
  /** A client must finish sending its request headers within this time. @default 10000 */
  readonly headersTimeoutMs?: number;
  /** An HTTP/1.1 client must finish sending its whole request within this time. @default 60000 */
  readonly requestTimeoutMs?: number;
}

/** One TCP port serving HTTP/1.1 and cleartext HTTP/2. */
export interface Listener {
  /** The port it listens on. */
  readonly port: number;
  /**
   * Stops accepting connections and lets the open ones finish their requests (HTTP/2 sessions get a
   * GOAWAY, idle HTTP/1.1 connections are closed as they become idle) for up to `graceMs`. If some are
   * left, calls `beforeForce` (which should end the calls still running, e.g. by aborting connect's
   * `shutdownSignal`), gives their answers a moment to leave, and destroys what remains.
   */
  close(graceMs: number, beforeForce?: () => void): Promise<void>;
}

/** The first bytes of every HTTP/2 connection with prior knowledge (RFC 9113 §3.4). */
const http2Preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/** "PRI " never starts an HTTP/1.1 request line, so four bytes decide. */
const decidingBytes = 4;

/** How long calls ended by `beforeForce` get to send their status before their connections are cut. */
const lastWordsMs = 1000;

/**
 * Listens on `port` for browsers (HTTP/1.1, and HTTP/2 where a proxy terminates TLS and speaks h2c) and
 * gRPC clients (HTTP/2 with prior knowledge, as `grpcurl -plaintext` and grpc-js do) alike. Node's
 * cleartext HTTP/2 server cannot fall back to HTTP/1.1 (`allowHTTP1` needs TLS's ALPN), so a plain TCP
 * server reads each connection's first bytes and hands the socket, those bytes put back, to the HTTP/2
 * server when they are the HTTP/2 preface and to the HTTP/1.1 server otherwise.
 */
export async function listen(
  handler: RequestHandler,
  port: number,
  host = "0.0.0.0",
  options: ListenerOptions = {},
): Promise<Listener> {
  const headersTimeoutMs = options.headersTimeoutMs ?? 10_000;
  const http1 = createHttp1Server(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs ?? 60_000,
      maxHeaderSize: maxHeaderBytes,
    },
    handler,
  );
  const http2 = createHttp2Server({ settings: { maxHeaderListSize: maxHeaderBytes } }, handler);
  const sockets = new Set<Socket>();
  /** Connections whose first bytes have not arrived yet: nothing to drain there. */
  const undecided = new Set<Socket>();
  const sessions = new Set<Http2Session>();
  let isClosing = false;

  http2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    if (isClosing) session.close();
  });

  const hand = (socket: Socket) => {
    let head = Buffer.alloc(0);
    undecided.add(socket);
    socket.once("close", () => undecided.delete(socket));
    // A connection that sends nothing is not kept waiting for bytes that never come.
    socket.setTimeout(headersTimeoutMs, () => socket.destroy());
    const onError = () => socket.destroy();
    // Paused-mode reads: a socket put in flowing mode would hand the bytes put back to nobody before
    // the HTTP/2 session, which reads them on the next tick, takes them.
    const onReadable = () => {
      for (let chunk: Buffer | null = socket.read(); chunk !== null; chunk = socket.read()) {
        head = Buffer.concat([head, chunk]);
      }
      const known = Math.min(head.length, decidingBytes);
      const isHttp2 = head.subarray(0, known).equals(http2Preface.subarray(0, known));
      if (isHttp2 && head.length < decidingBytes) return;
      undecided.delete(socket);
      socket.off("readable", onReadable);
      socket.off("error", onError);
      socket.setTimeout(0);
      socket.unshift(head);
      (isHttp2 ? http2 : http1).emit("connection", socket);
    };
    socket.on("readable", onReadable);
    socket.on("error", onError);
  };

  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    hand(socket);
  });
  server.listen(port, host);
  await once(server, "listening");
  // The HTTP/1.1 server never listens itself, but tracks connections (headers and request timeouts,
  // closing idle ones) only from its 'listening' event on.
  http1.emit("listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the listener has no TCP address");

  // An HTTP/1.1 connection becomes idle when its response ends; each is closed as soon as it is.
  const drain = async (deadline: number) => {
    while (sockets.size > 0 && Date.now() < deadline) {
      http1.closeIdleConnections();
      await sleep(Math.min(50, Math.max(0, deadline - Date.now())));
    }
  };

  return {
    port: address.port,
    async close(graceMs, beforeForce) {
      isClosing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of undecided) socket.destroy();
      for (const session of sessions) session.close();
      await drain(Date.now() + graceMs);
      if (sockets.size > 0) {
        beforeForce?.();
        await drain(Date.now() + lastWordsMs);
        for (const socket of sockets) socket.destroy();
      }
      http1.close();
      await stopped;
    },
  };
}
