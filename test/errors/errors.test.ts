import { describe, expect, it } from "vitest";
import { ApiError, type Failure, failure } from "../../src/errors/errors";
import { post, registration, uniquePhone } from "../support/api";
import { lastCode } from "../support/outbox";

describe("ApiError.from", () => {
	it("keeps the code, the message and the details the error model names", () => {
		const error = ApiError.from(failure("OTP_INVALID", { attemptsRemaining: 2, message: "The code is incorrect" }));
		expect([error.code, error.message, error.details]).toEqual([
			"OTP_INVALID",
			"The code is incorrect",
			{ attemptsRemaining: 2 },
		]);
	});

	it("leaves out whatever else a failure carries: internal fields never reach a response", () => {
		const internal = { ...failure("OTP_INVALID", { attemptsRemaining: 1 }), counted: true, twilioErrorCode: 30003 };
		const error = ApiError.from(internal as Failure);
		expect(error.details).toEqual({ attemptsRemaining: 1 });
		expect(error.twilioErrorCode).toBe(30003);
	});
});

describe("a wrong code's answer", () => {
	it("is exactly success, message, code and attemptsRemaining", async () => {
		const phone = uniquePhone();
		const sent = await post("/api/customers/send-otp", registration(phone));
		const { registrationId } = (await sent.json()) as { registrationId: string };
		const right = await lastCode(phone);
		const wrong = right === "000000" ? "111111" : "000000";
		const res = await post("/api/customers/verify-otp", { phone, otp: wrong, registrationId });
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({
			success: false,
			message: "The code is incorrect",
			code: "OTP_INVALID",
			attemptsRemaining: 2,
		});
	});
});
