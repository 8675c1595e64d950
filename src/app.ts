import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { protectionLog } from "./abuse/refusals";
import { adminRouter } from "./admin/admin";
import { jwksRouter } from "./auth/jwks";
import { type Config, getConfig } from "./config/config";
import { accountRouter } from "./customers/account/account.index";
import { customersRouter } from "./customers/registration/registration.index";
import { sessionsRouter } from "./customers/sign-in/sign-in.index";
import { ApiError } from "./errors/errors";
import { webhookRouter } from "./messaging/status-webhook";
import { deliverReceipt } from "./otp/receipts";
import { createRouter } from "./platform/create-router";
import { renderError } from "./platform/render-error";
import { requestLog } from "./platform/request-log";
import { securityHeaders } from "./site/security-headers";
import { siteRouter } from "./site/site";

export interface AppOptions {
	/**
	 * Milliseconds since the epoch, read once per request.
	 * @default Date.now
	 */
	clock?: () => number;
}

/** Builds the Worker's HTTP app: middleware, routes, the OpenAPI document, the error model. */
export function createApp({ clock = Date.now }: AppOptions = {}) {
	const app = createRouter();

	app.use("*", requestLog());
	app.use("*", securityHeaders);
	app.use("*", async (c, next) => {
		c.set("config", getConfig(c.env));
		c.set("now", clock());
		await next();
	});
	app.use("/api/*", protectionLog);
	app.use("/api/*", (c, next) => {
		const config = c.get("config");
		return config.corsOrigins.length ? corsFor(config)(c, next) : next();
	});

	app.route("/api/customers", customersRouter);
	app.route("/api/customers", sessionsRouter);
	app.route("/api/customers", accountRouter);
	app.route("/api/admin", adminRouter);
	app.route("/", webhookRouter(deliverReceipt));
	app.route("/", jwksRouter);

	app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
		type: "http",
		scheme: "bearer",
		bearerFormat: "JWT",
	});
	const document = {
		openapi: "3.1.0",
		info: {
			title: "Customer verification API",
			version: "1.0.0",
			description:
				"Registration with SMS one-time codes (email as a fallback), sign-in with rotating refresh tokens, password reset by SMS, delivery tracking. Every error is `{success:false, message, code}`; every response carries `X-Request-Id`.",
		},
	};
	app.doc31("/openapi.json", document);

	// Last: pages and their files, for whatever no API route took.
	app.route(
		"/",
		siteRouter(() => app.getOpenAPI31Document(document)),
	);

	app.notFound(() => {
		throw new ApiError("NOT_FOUND");
	});
	app.onError(renderError);
	return app;
}

const corsCache = new WeakMap<Config, MiddlewareHandler>();

/** Allows only the configured origins; a `*` never comes with credentials. */
function corsFor(config: Config): MiddlewareHandler {
	let handler = corsCache.get(config);
	if (!handler) {
		const origins = config.corsOrigins;
		const wildcard = origins.includes("*");
		handler = cors({
			origin: wildcard ? "*" : (origin) => (origins.includes(origin) ? origin : null),
			allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
			allowHeaders: ["Content-Type", "Authorization"],
			exposeHeaders: ["Retry-After", "WWW-Authenticate", "X-Request-Id"],
			credentials: !wildcard && origins.length > 0,
			maxAge: 600,
		});
		corsCache.set(config, handler);
	}
	return handler;
}
