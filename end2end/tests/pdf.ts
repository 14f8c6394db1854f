import { inflateSync } from "node:zlib";

/**
 * The pages of a PDF Chromium printed, in order, each with the number of text-showing operators
 * (`Tj`/`TJ`) in its content: enough to tell a page that carries the list from an almost empty one.
 * Reads plain indirect objects with Flate streams (what Chromium writes); not a general PDF parser.
 */
export function pdfPages(pdf: Buffer): { textOps: number }[] {
  const raw = pdf.toString("latin1");
  const objects = new Map<string, { dict: string; stream?: Buffer }>();
  const objectRe = /(\d+) (\d+) obj\s*([\s\S]*?)endobj/g;
  for (let m; (m = objectRe.exec(raw)); ) {
    const body = m[3];
    const s = body.indexOf("stream");
    if (s < 0) {
      objects.set(m[1], { dict: body });
      continue;
    }
    const dict = body.slice(0, s);
    let start = m.index + m[0].indexOf(body) + s + "stream".length;
    if (raw[start] === "\r") start++;
    if (raw[start] === "\n") start++;
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1] ?? "0");
    let data = pdf.subarray(start, start + length);
    if (/\/FlateDecode/.test(dict)) data = inflateSync(data);
    objects.set(m[1], { dict, stream: data });
  }
  const refs = (s: string) => [...s.matchAll(/(\d+) \d+ R/g)].map((r) => r[1]);
  const pageOrder: string[] = [];
  const walk = (id: string) => {
    const o = objects.get(id);
    if (!o) return;
    if (/\/Type\s*\/Pages\b/.test(o.dict)) {
      const kids = /\/Kids\s*\[([^\]]*)\]/.exec(o.dict)?.[1] ?? "";
      refs(kids).forEach(walk);
    } else if (/\/Type\s*\/Page\b/.test(o.dict)) {
      pageOrder.push(id);
    }
  };
  const root = [...objects.entries()].find(([, o]) => /\/Type\s*\/Catalog\b/.test(o.dict));
  if (!root) throw new Error("no catalog in the PDF");
  walk(refs(/\/Pages (\d+ \d+ R)/.exec(root[1].dict)![1])[0]);
  return pageOrder.map((id) => {
    const dict = objects.get(id)!.dict;
    const contents = /\/Contents\s*(\[[^\]]*\]|\d+ \d+ R)/.exec(dict)?.[1] ?? "";
    const text = refs(contents)
      .map((c) => objects.get(c)?.stream?.toString("latin1") ?? "")
      .join("\n");
    return { textOps: (text.match(/\b(Tj|TJ)\b/g) ?? []).length };
  });
}
