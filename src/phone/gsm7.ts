// The GSM 03.38 default alphabet, the 7-bit character set every phone decodes SMS with.
// A character of the basic table costs one septet; one of the extension table costs two
// (an escape, then the character). Anything else forces the whole message into UCS-2.

const BASIC =
	"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const EXTENSION = "\f^{}\\[~]|€";

const basic = new Set(BASIC);
const extension = new Set(EXTENSION);

/** Septets `text` takes in GSM-7, or undefined when a character is outside the alphabet. */
export function gsm7Units(text: string): number | undefined {
	let units = 0;
	for (const ch of text) {
		if (basic.has(ch)) units += 1;
		else if (extension.has(ch)) units += 2;
		else return undefined;
	}
	return units;
}
