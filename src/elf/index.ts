/** ELF images read in TypeScript: header, symbols and entry, sizes, notes. */
export { readElfHeader, readElfIdent, type ElfHeader, type ElfIdent } from './header.js';
export { elfEntry, readElfSymbols } from './symbols.js';
export { elfImageSizes, type ImageSizes } from './sizes.js';
export { isWholePvhElf, readElfNotes, type ElfNote, type ElfNotes } from './notes.js';
