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

/** A cell as a spreadsheet reads it: a number, or text; `null` where nothing is written. */
export type Cell = { number: number } | { text: string } | null;

/** The cells of an XLSX file's first sheet, row by row (Python's zipfile and XML reader; the
 * stored type decides: `t="s"`/`inlineStr`/`str` is text, no type is a number). */
export function xlsxCells(file: string): Cell[][] {
  const script = "import zipfile,re,sys,json\n" +
    "import xml.etree.ElementTree as ET\n" +
    "ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}\n" +
    "z = zipfile.ZipFile(sys.argv[1])\n" +
    "shared = []\n" +
    "if 'xl/sharedStrings.xml' in z.namelist():\n" +
    "  shared = [''.join(t.text or '' for t in si.iter('{%s}t' % ns['m'])) for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si', ns)]\n" +
    "rows = []\n" +
    "for row in ET.fromstring(z.read('xl/worksheets/sheet1.xml')).iter('{%s}row' % ns['m']):\n" +
    "  cells = []\n" +
    "  for c in row.findall('m:c', ns):\n" +
    "    col = 0\n" +
    "    for ch in re.match(r'[A-Z]+', c.get('r')).group(0): col = col * 26 + ord(ch) - 64\n" +
    "    while len(cells) < col - 1: cells.append(None)\n" +
    "    t = c.get('t'); v = c.find('m:v', ns)\n" +
    "    if t == 's': cells.append({'text': shared[int(v.text)]})\n" +
    "    elif t == 'inlineStr': cells.append({'text': ''.join(x.text or '' for x in c.iter('{%s}t' % ns['m']))})\n" +
    "    elif t == 'str': cells.append({'text': v.text or ''})\n" +
    "    else: cells.append({'number': float(v.text)})\n" +
    "  rows.append(cells)\n" +
    "print(json.dumps(rows))";
  return JSON.parse(execFileSync("python3", ["-c", script, file]).toString());
}
