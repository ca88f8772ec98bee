// Recovery from a known encoder defect: a sequence sent with VR UN and undefined length
// whose items are written in explicit VR (the standard says implicit VR little endian).
// dicom-parser reads such items as implicit VR, misreads their lengths and stops; the
// elements after the sequence (often the dose values of an image header) are lost. Here
// the sequence is read again as explicit VR and parsing goes on after it.
import dicomParser from 'dicom-parser';

const BIG_ENDIAN_EXPLICIT = '1.2.840.10008.1.2.2';
const IMPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2';

function transferSyntax(bytes: Uint8Array): string | null {
  try {
    return dicomParser.readPart10Header(bytes).string('x00020010') ?? null;
  } catch {
    return null;
  }
}

/**
 * Continues a parse that stopped inside an explicit-VR-encoded UN sequence of undefined
 * length (the last element read). The data set gains the sequence's items and every element
 * after it. Returns true when the data set was then read to its end (or to `untilTag`);
 * false when the stop had another cause or the data is damaged further on.
 */
export function resumeAfterExplicitUnSequence(bytes: Uint8Array, dataSet: dicomParser.DataSet, untilTag: string): boolean {
  const ts = transferSyntax(bytes);
  if (ts === null || ts === BIG_ENDIAN_EXPLICIT || ts === IMPLICIT_LITTLE_ENDIAN) return false;
  const reread = new Set<dicomParser.Element>();
  // Each round gets past one such sequence.
  for (;;) {
    const tags = Object.keys(dataSet.elements);
    const last = dataSet.elements[tags[tags.length - 1] ?? ''];
    if (!last || last.vr !== 'UN' || !last.hadUndefinedLength || reread.has(last)) return false;
    reread.add(last);
    const stream = new dicomParser.ByteStream(dicomParser.littleEndianByteArrayParser, dataSet.byteArray, last.dataOffset);
    const asSequence: dicomParser.Element = { tag: last.tag, vr: 'SQ', length: 0xffffffff, dataOffset: last.dataOffset, hadUndefinedLength: true };
    try {
      dicomParser.readSequenceItemsExplicit(stream, asSequence, []);
    } catch {
      return false;
    }
    last.items = asSequence.items ?? [];
    last.length = stream.position - last.dataOffset;
    try {
      dicomParser.parseDicomDataSetExplicit(dataSet, stream, dataSet.byteArray.length, { untilTag });
      return true;
    } catch {
      // Another damaged element further on: try again from the last one read.
    }
  }
  return false;
}
