/** The `error.code` of a JSON error answer (CONTRACT.md error shape). */
export async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as { error?: { code?: string } };
  return body.error?.code ?? '';
}
