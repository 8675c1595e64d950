import { createRouter } from "../http/create-router";
import { loginHandler, logoutAllHandler, logoutHandler, refreshHandler } from "./sessions.handlers";
import { login, logout, logoutAll, refresh } from "./sessions.routes";

/** `/api/customers`: signing in and out. */
export const sessionsRouter = createRouter();
sessionsRouter
	.openapi(login, loginHandler)
	.openapi(refresh, refreshHandler)
	.openapi(logout, logoutHandler)
	.openapi(logoutAll, logoutAllHandler);
