import { createRouter } from "../http/create-router";
import {
	otpStatusByBodyHandler,
	otpStatusHandler,
	resendOtpHandler,
	sendOtpHandler,
	verifyOtpHandler,
} from "./customers.handlers";
import { otpStatus, otpStatusByBody, resendOtp, sendOtp, verifyOtp } from "./customers.routes";

/** `/api/customers`: the registration flow. */
export const customersRouter = createRouter();
customersRouter
	.openapi(sendOtp, sendOtpHandler)
	.openapi(verifyOtp, verifyOtpHandler)
	.openapi(resendOtp, resendOtpHandler)
	.openapi(otpStatus, otpStatusHandler)
	.openapi(otpStatusByBody, otpStatusByBodyHandler);
