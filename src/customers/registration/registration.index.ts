import { createRouter } from "../../platform/create-router";
import {
	otpStatusByBodyHandler,
	otpStatusHandler,
	resendOtpHandler,
	sendOtpHandler,
	verifyOtpHandler,
} from "./registration.handlers";
import { otpStatus, otpStatusByBody, resendOtp, sendOtp, verifyOtp } from "./registration.routes";

/** `/api/customers`: the registration flow. */
export const customersRouter = createRouter();
customersRouter
	.openapi(sendOtp, sendOtpHandler)
	.openapi(verifyOtp, verifyOtpHandler)
	.openapi(resendOtp, resendOtpHandler)
	.openapi(otpStatus, otpStatusHandler)
	.openapi(otpStatusByBody, otpStatusByBodyHandler);
