// VRs needed to read implicit-VR objects correctly: text VRs decide character-set decoding,
// binary VRs decide how numbers are read. Tags not listed are read as text without
// character-set decoding, which is right for CS, DS, IS, DA, TM, DT, UI and AS.
export const VR_OF_TAG: Readonly<Record<string, string>> = {
  // Text that may carry non-ASCII characters.
  x00080080: 'LO', // Institution Name
  x00080081: 'ST', // Institution Address
  x00080090: 'PN', // Referring Physician's Name
  x00081010: 'SH', // Station Name
  x00081030: 'LO', // Study Description
  x0008103e: 'LO', // Series Description
  x00081040: 'LO', // Institutional Department Name
  x00081050: 'PN', // Performing Physician's Name
  x00081060: 'PN', // Name of Physician(s) Reading Study
  x00081070: 'PN', // Operators' Name
  x00081090: 'LO', // Manufacturer's Model Name
  x00080070: 'LO', // Manufacturer
  x00080104: 'LO', // Code Meaning
  x00100010: 'PN', // Patient's Name
  x00100020: 'LO', // Patient ID
  x00181030: 'LO', // Protocol Name
  x00181000: 'LO', // Device Serial Number
  x00181020: 'LO', // Software Versions
  x00180015: 'CS', // Body Part Examined
  x00321060: 'LO', // Requested Procedure Description
  x00400254: 'LO', // Performed Procedure Step Description
  x00400310: 'ST', // Comments on Radiation Dose
  x00187062: 'LT', // Exposure Control Mode Description
  x00204000: 'LT', // Image Comments
  x0040a160: 'UT', // Text Value
  x0040a123: 'PN', // Person Name
  x0040a30a: 'DS', // Numeric Value
  x0040a168: 'SQ', // Concept Code Sequence
  x00180022: 'CS', // Scan Options
  x00540400: 'SH', // Image ID
  x00180031: 'LO', // Radiopharmaceutical
  x00541103: 'LO', // Reconstruction Method
  // Binary numbers.
  x00280010: 'US', // Rows
  x00280011: 'US', // Columns
  x00280100: 'US', // Bits Allocated
  x00540011: 'US', // Number of Energy Windows
  x00540021: 'US', // Number of Detectors
  x00540051: 'US', // Number of Rotations
  x00540061: 'US', // Number of R-R Intervals
  x00540071: 'US', // Number of Time Slots
  x00540081: 'US', // Number of Slices
  x00540101: 'US', // Number of Time Slices
  x00181063: 'DS', // Frame Time
  x0040a0b0: 'US', // Referenced Waveform Channels
  x0040db06: 'DT', // Template Version
  x0040a13a: 'DT', // Referenced DateTime
  x0040a120: 'DT', // DateTime
  x00200013: 'IS', // Instance Number
  x00400301: 'US', // Total Number of Exposures
  x00400302: 'US', // Entrance Dose
  x00189306: 'FD', // Single Collimation Width
  x00189307: 'FD', // Total Collimation Width
  x00189311: 'FD', // Spiral Pitch Factor
  x00189328: 'FD', // Exposure Time in ms
  x00189330: 'FD', // X-Ray Tube Current in mA
  x00189332: 'FD', // Exposure in mAs
  x00189345: 'FD', // CTDIvol
  x00189402: 'FL', // Distance Source to Isocenter
};
