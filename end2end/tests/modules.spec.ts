import { test, expect } from "@playwright/test";

test.describe("a module, without JavaScript, on a 360 px phone", () => {
  test.use({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });

  test("opens from the list, has a collapsible table of contents, and fits the screen", async ({ page }) => {
    await page.goto("/modul");
    await page.getByRole("link", { name: "Literasi Keuangan Koperasi" }).click();
    await expect(page.locator("h1")).toHaveText("Literasi Keuangan Koperasi");
    const toc = page.locator("details.toc-phone");
    await expect(toc.locator("ol")).toBeHidden();
    await toc.locator("summary").click();
    await expect(toc.locator("ol")).toBeVisible();
    await toc.getByRole("link", { name: "Ringkasan" }).click();
    await expect(page).toHaveURL(/#ringkasan$/);
    await expect(page.locator("aside.callout").first()).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
