/**
 * BinderHub stand-ins on 127.0.0.1 for the warm-up tests and the bench: a server that runs a script per
 * request and records what it saw.
 */
import * as http from "http";
import { AddressInfo, Socket } from "net";

/** What a scripted hub saw of a request. */
export interface Seen {
    url: string;
    accept: string | undefined;
    /** Date.now() when the request arrived. */
    at: number;
    /** Resolves when the client hangs up. */
    closed: Promise<void>;
}

export type Script = (req: http.IncomingMessage, res: http.ServerResponse, index: number) => void;

export interface Hub {
    url: string;
    seen: Seen[];
    stop: () => Promise<void>;
}

export async function hub(script: Script): Promise<Hub> {
    const seen: Seen[] = [];
    const sockets = new Set<Socket>();
    const server = http.createServer((req, res) => {
        seen.push({ url: req.url ?? "", accept: req.headers.accept, at: Date.now(), closed: new Promise((resolve) => res.on("close", () => resolve())) });
        script(req, res, seen.length - 1);
    });
    server.on("connection", (s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        seen,
        stop: () =>
            new Promise((resolve) => {
                for (const s of sockets) s.destroy();
                server.close(() => resolve());
            }),
    };
}

export const event = (phase: string, message: string, extra: Record<string, unknown> = {}) => `data: ${JSON.stringify({ phase, message, ...extra })}\n\n`;

export const EVENT_STREAM = { "content-type": "text/event-stream", "cache-control": "no-cache" };

/** Writes each piece after `ms`, then leaves the stream open (a hub that launches next). */
export function stream(pieces: string[], ms = 5, headers: Record<string, string> = {}): Script {
    return (_req, res) => {
        res.writeHead(200, { ...EVENT_STREAM, ...headers });
        let i = 0;
        const next = () => {
            if (res.destroyed) return;
            if (i < pieces.length) {
                res.write(pieces[i++]);
                setTimeout(next, ms);
            }
        };
        next();
    };
}

/** A build from scratch, as binderhub/builder.py reports it. */
export const BUILD = [
    ":heartbeat\n\n",
    event("waiting", "Waiting for build to start...\n"),
    event("fetching", "Fetching repository...\n"),
    event("building", "Step 1/3 : FROM ghcr.io/underworldcode/uw3-base:2025.01-slim\n"),
    event("building", "Step 2/3 : ENV UW3_BRANCH=main\n"),
    event("pushing", "Pushing image\n", { progress: { layer1: { current: 1, total: 2 } } }),
    event("built", "Built image, launching...\n", { imageName: "gcr.io/binder/r2d-abc:123" }),
    event("launching", "Launching server...\n"),
    event("ready", "server running at https://hub.example/user/x/\n", { url: "https://hub.example/user/x/", token: "t" }),
];

/** An image the hub already has (binderhub/builder.py `image_found`). */
export const FOUND = [
    event("built", "Found built image, launching...\n", { imageName: "gcr.io/binder/r2d-abc:123" }),
    event("launching", "Launching server...\n"),
];

/**
 * A hostile hub: `data:` lines forever, never the blank line that ends an event (`endless-data`), bytes
 * forever without any newline (`no-newline`), or well-formed build-log events forever, never a final
 * phase (`endless-events`). Writes as fast as the client reads, until it hangs up. `sent()` is the number
 * of bytes written so far.
 */
export type EndlessKind = "endless-data" | "no-newline" | "endless-events";

export function endless(kind: EndlessKind): { script: Script; sent: () => number } {
    let sent = 0;
    const pieces: Record<EndlessKind, string> = {
        "endless-data": `data: ${"x".repeat(1000)}\n`.repeat(64),
        "no-newline": "x".repeat(64 * 1024),
        "endless-events": event("building", `Step 1/9 : ${"x".repeat(1000)}\n`).repeat(64),
    };
    const piece = pieces[kind];
    const script: Script = (_req, res) => {
        res.writeHead(200, EVENT_STREAM);
        res.write(event("building", "Step 1/9\n"));
        const pump = () => {
            while (!res.destroyed) {
                sent += piece.length;
                if (!res.write(piece)) {
                    res.once("drain", pump);
                    return;
                }
            }
        };
        pump();
    };
    return { script, sent: () => sent };
}
