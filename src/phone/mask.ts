/** `+14155552671` → `+1415***2671`: enough for support, useless to an attacker. */
export function maskPhone(phone: string): string {
	if (phone.length <= 8) return `${phone.slice(0, 2)}***`;
	return `${phone.slice(0, 5)}***${phone.slice(-4)}`;
}
