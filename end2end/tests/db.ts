import { execFileSync } from "node:child_process";
import * as path from "node:path";

/** The server's SQLite database (the data folder playwright.config.ts made). */
export function databasePath(): string {
  const dir = process.env.DIKLAT_E2E_DATA_DIR;
  if (!dir) throw new Error("DIKLAT_E2E_DATA_DIR is not set (playwright.config.ts sets it)");
  return path.join(dir, "diklat.db");
}

/** One number from the server's database (read-only), through Python's sqlite3 module. */
export function count(sql: string): number {
  const script = "import sqlite3,sys\n" +
    "c = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)\n" +
    "print(c.execute(sys.argv[2]).fetchone()[0])";
  return Number(execFileSync("python3", ["-c", script, databasePath(), sql]).toString().trim());
}

/** Data rows of a CSV file (its header line left out; quoted cells may hold line breaks). */
export function csvRows(file: string): number {
  const script = "import csv,sys\n" +
    "rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline='')))\n" +
    "print(len(rows) - 1)";
  return Number(execFileSync("python3", ["-c", script, file]).toString().trim());
}

/** Rows of every sheet of an XLSX file (each sheet's heading — title, region, export time — and
 * header row left out), in sheet order. */
export function xlsxRows(file: string): number[] {
  const script = "import zipfile,re,sys\n" +
    "z = zipfile.ZipFile(sys.argv[1])\n" +
    "names = sorted((n for n in z.namelist() if re.match(r'xl/worksheets/sheet\\d+\\.xml$', n)), key=lambda n: int(re.findall(r'\\d+', n)[0]))\n" +
    "print(' '.join(str(len(re.findall(rb'<row[ >]', z.read(n))) - 4) for n in names))";
  return execFileSync("python3", ["-c", script, file]).toString().trim().split(" ").map(Number);
}
