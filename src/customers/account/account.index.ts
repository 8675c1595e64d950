import { createRouter } from "../../platform/create-router";
import { deleteMeHandler, getMeHandler, sendResetOtpHandler, verifyResetHandler } from "./account.handlers";
import { deleteMe, getMe, sendResetOtp, verifyReset } from "./account.routes";

/** `/api/customers`: the signed-in customer's account, and getting back into it. */
export const accountRouter = createRouter();
accountRouter
	.openapi(getMe, getMeHandler)
	.openapi(deleteMe, deleteMeHandler)
	.openapi(sendResetOtp, sendResetOtpHandler)
	.openapi(verifyReset, verifyResetHandler);
