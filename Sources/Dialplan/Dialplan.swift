// The dialplan language: parser, validator and interpreter. Foundation only.
