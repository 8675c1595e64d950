import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Serves a web-standard fetch handler over node:http on a free loopback port.
 * Used to put the fake Twilio in front of `wrangler dev`.
 */
export async function serveFetch(
	handler: (request: Request) => Promise<Response>,
): Promise<{ url: string; close: () => Promise<void>; server: Server }> {
	const server = createServer(async (req, res) => {
		try {
			const chunks: Buffer[] = [];
			for await (const chunk of req) chunks.push(chunk as Buffer);
			const body = chunks.length ? Buffer.concat(chunks) : undefined;
			const headers = new Headers();
			for (const [name, value] of Object.entries(req.headers)) {
				if (typeof value === "string") headers.set(name, value);
			}
			const request = new Request(`http://127.0.0.1${req.url}`, {
				method: req.method,
				headers,
				body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
			});
			const response = await handler(request);
			res.writeHead(response.status, Object.fromEntries(response.headers));
			res.end(Buffer.from(await response.arrayBuffer()));
		} catch (err) {
			res.writeHead(500, { "content-type": "text/plain" });
			res.end(String(err));
		}
	});
	// Node closes a connection idle for 5 s; workerd, slowed by a hash, can write a
	// request onto such a socket before it sees the FIN, and the SMS fails. Only the
	// client (workerd) may close idle connections.
	server.keepAliveTimeout = 0;
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		server,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
