import { createRouter } from "../http/create-router";
import { resendOtpHandler, sendOtpHandler, verifyOtpHandler } from "./customers.handlers";
import { resendOtp, sendOtp, verifyOtp } from "./customers.routes";

/** `/api/customers`: the registration flow. */
export const customersRouter = createRouter();
customersRouter
	.openapi(sendOtp, sendOtpHandler)
	.openapi(verifyOtp, verifyOtpHandler)
	.openapi(resendOtp, resendOtpHandler);
