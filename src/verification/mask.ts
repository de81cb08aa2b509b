/**
 * Masking for what shows on a lock screen, a card or a group chat (SPEC 1 Art. 12):
 * names 张*三, ID numbers 370323********1234, phones 138****1234.
 */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

export function maskIdNumber(id: string): string {
  const s = id.trim();
  if (s.length <= 10) return '*'.repeat(s.length);
  return `${s.slice(0, 6)}${'*'.repeat(s.length - 10)}${s.slice(-4)}`;
}

export function maskPhone(p: string): string {
  const d = p.replace(/[^0-9]/g, '');
  if (d.length < 7) return '*'.repeat(d.length);
  return `${d.slice(0, 3)}${'*'.repeat(d.length - 7)}${d.slice(-4)}`;
}

/** Free text typed by staff (a mismatch detail, a reason): ID numbers and mobiles inside it are masked. */
export function maskFreeText(text: string): string {
  return text
    .replace(/(?<![0-9])[1-9]\d{16}[\dXx](?![0-9])/g, (m) => maskIdNumber(m))
    .replace(/(?<![0-9])1[3-9]\d{9}(?![0-9])/g, (m) => maskPhone(m));
}

/**
 * A reply typed by staff, before it reaches the other unit's cards (Art. 12): ID numbers,
 * mobiles, the names the system knows of (applicants of the request and of the sender's
 * other requests), and any name written after 姓名 / 申请人.
 */
export function maskReply(text: string, knownNames: readonly string[]): string {
  let out = maskFreeText(text);
  for (const n of [...new Set(knownNames.map((x) => x.trim()))].filter((x) => [...x].length >= 2).sort((a, b) => b.length - a.length)) {
    out = out.split(n).join(maskName(n));
  }
  return out.replace(/(姓名|申请人)([:：\s]*)([\u4e00-\u9fa5·]{2,4})/g, (_m, k: string, sep: string, name: string) => `${k}${sep}${name.includes('*') ? name : maskName(name)}`);
}
