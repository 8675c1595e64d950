import { createRouter } from "../http/create-router";
import { otpStatusHandler, resendOtpHandler, sendOtpHandler, verifyOtpHandler } from "./customers.handlers";
import { otpStatus, resendOtp, sendOtp, verifyOtp } from "./customers.routes";

/** `/api/customers`: the registration flow. */
export const customersRouter = createRouter();
customersRouter
	.openapi(sendOtp, sendOtpHandler)
	.openapi(verifyOtp, verifyOtpHandler)
	.openapi(resendOtp, resendOtpHandler)
	.openapi(otpStatus, otpStatusHandler);
