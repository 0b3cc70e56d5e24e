/** A QR code of the URL drawn with block characters, when stdout is a terminal or the operator asked (--qr). */
export async function showQr(url: string, forced: boolean, print: (text: string) => void): Promise<void> {
  if (!forced && !process.stdout.isTTY) return;
  const { default: QRCode } = await import('qrcode');
  print(await QRCode.toString(url, { type: 'terminal', small: true, errorCorrectionLevel: 'M' }));
}
