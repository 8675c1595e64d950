import { createRouter } from "../../platform/create-router";
import { loginHandler, logoutAllHandler, logoutHandler, refreshHandler } from "./sign-in.handlers";
import { login, logout, logoutAll, refresh } from "./sign-in.routes";

/** `/api/customers`: signing in and out. */
export const sessionsRouter = createRouter();
sessionsRouter
	.openapi(login, loginHandler)
	.openapi(refresh, refreshHandler)
	.openapi(logout, logoutHandler)
	.openapi(logoutAll, logoutAllHandler);
