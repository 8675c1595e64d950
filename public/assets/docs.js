// Accessibility fixes for the bundled API reference (/docs), which renders a few
// controls without an accessible name: icon-only copy buttons, and scrollable
// lists that keyboard users cannot reach. Applied as the reference renders.
const label = () => {
	for (const button of document.querySelectorAll("button:not([aria-label]):not([aria-labelledby])")) {
		const copy = /copy-button/.test(button.className);
		if (copy || !button.textContent.trim()) button.setAttribute("aria-label", button.title || "Copy to clipboard");
	}
	for (const region of document.querySelectorAll(".endpoints:not([tabindex])")) region.setAttribute("tabindex", "0");
};
new MutationObserver(label).observe(document.body, { childList: true, subtree: true });
label();
