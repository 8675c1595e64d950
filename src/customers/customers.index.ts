import { createRouter } from "../http/create-router";
import { jsonBody } from "../http/json-body";
import { resendOtpHandler, sendOtpHandler, verifyOtpHandler } from "./customers.handlers";
import { resendOtp, sendOtp, verifyOtp } from "./customers.routes";

/** `/api/customers`: the registration flow. */
export const customersRouter = createRouter();
customersRouter.use("*", jsonBody());
customersRouter
	.openapi(sendOtp, sendOtpHandler)
	.openapi(verifyOtp, verifyOtpHandler)
	.openapi(resendOtp, resendOtpHandler);
