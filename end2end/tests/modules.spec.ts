import { test, expect, Page } from "@playwright/test";
import { peserta } from "./demo";

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

const section = (page: Page, anchor: string) => page.locator(`section[data-anchor="${anchor}"]`);

// Each test reads its own module: the two run in parallel as the same demo peserta.
test.describe("reading progress with JavaScript, on a phone", () => {
  test.use({ viewport: { width: 360, height: 740 } });

  test("a peserta marks a section, reads another to its end, and resumes from the list", async ({ page }) => {
    await peserta(page);
    await page.goto("/modul/pengembangan-usaha");
    const status = page.locator("#module-progress-text");
    await expect(status).toHaveText("0 dari 10 bagian dibaca");
    await expect(page.locator('.reading-tracker[data-ready="true"]')).toBeAttached();

    // Pressing the button saves in place: no page load, the bar and the contents follow. The
    // island posts the section's own form to the same address, asking for data.
    const first = section(page, "pendahuluan");
    const posted = page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/progres/tandai");
    await first.getByRole("button", { name: "Tandai sudah dibaca" }).click();
    const request = await posted;
    expect(request.headers()["accept"]).toBe("application/json");
    expect(new URLSearchParams(request.postData() ?? "").get("bagian")).toBe("pendahuluan");
    await expect(first.locator(".read-done")).toBeVisible();
    await expect(status).toHaveText("1 dari 10 bagian dibaca");
    await expect(page.locator("#module-progress")).toHaveAttribute("value", "1");
    await expect(page.locator('details.toc-phone li[data-toc="pendahuluan"]')).toHaveClass(/read/);

    // Keeping a section's end in view for a moment counts as reading it.
    const third = section(page, "memilih-unit-usaha-yang-tepat");
    await third.locator("form.mark-read").scrollIntoViewIfNeeded();
    await expect(third.locator(".read-done")).toBeVisible({ timeout: 6000 });
    await expect(status).toHaveText("2 dari 10 bagian dibaca");

    // Coming back later: the list shows the progress and resumes after the last section read.
    await page.goto("/modul");
    const card = page.locator('li[data-slug="pengembangan-usaha"]');
    await expect(card).toContainText("2 dari 10 bagian dibaca");
    await card.getByRole("link", { name: "Lanjutkan membaca" }).click();
    await expect(page).toHaveURL(/\/modul\/pengembangan-usaha#menyusun-rencana-usaha/);
    await expect(page.locator("#resume-link")).toContainText("Menyusun Rencana Usaha");
  });
});

test.describe("reading progress without JavaScript", () => {
  test.use({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });

  test("the mark-as-read form records the section and moves on; the list resumes", async ({ page }) => {
    await peserta(page);
    await page.goto("/modul/akses-permodalan");
    await expect(page.locator("#module-progress-text")).toHaveText("0 dari 9 bagian dibaca");
    await section(page, "pendahuluan").getByRole("button", { name: "Tandai sudah dibaca" }).click();
    await expect(page).toHaveURL(/\/modul\/akses-permodalan#mengenal-bank-perekonomian-rakyat/);
    await expect(page.locator("#module-progress-text")).toHaveText("1 dari 9 bagian dibaca");
    await expect(section(page, "pendahuluan").locator(".read-done")).toBeVisible();
    await section(page, "mengenal-bank-perekonomian-rakyat-bpr")
      .getByRole("button", { name: "Tandai sudah dibaca" })
      .click();
    await expect(page.locator("#module-progress-text")).toHaveText("2 dari 9 bagian dibaca");

    await page.goto("/modul");
    const card = page.locator('li[data-slug="akses-permodalan"]');
    await expect(card).toContainText("2 dari 9 bagian dibaca");
    await card.getByRole("link", { name: "Lanjutkan membaca" }).click();
    await expect(page).toHaveURL(/#prinsip-5c/);
    await page.screenshot({ path: "test-results/progress-no-js-360.png", fullPage: false });
  });
});
