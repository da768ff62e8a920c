// Stands in for @kubernetes-models/validate when scripts/compile-validators.mjs --core bundles the core kinds'
// validators: those validators use only `formats`, and only the ones below, while the real module also loads ajv-i18n,
// uri-js and an e-mail parser (~400 kB) for error messages and formats no core kind uses. The checks are the same:
// ajv-formats' own for the standard formats, and kubernetes-models' two regexes for its own formats
// (@kubernetes-models/validate 4.x dist/formats.js, which cites is-base64 and apimachinery quantity.go).
'use strict';
const { fullFormats } = require('ajv-formats/dist/formats.js');

const rBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const rSignedNumber = /[+-]?(?:\d+|\d+\.\d+|\d+\.|\.\d+)/;
const rQuantitySuffix = new RegExp(`(?:[KMGTPE]i|(?:[YZEPTGMkhdcmunpfazy]|da)|[eE]${rSignedNumber.source})?`);
const rQuantity = new RegExp(`^${rSignedNumber.source}${rQuantitySuffix.source}$`);

exports.formats = {
  'date-time': fullFormats['date-time'],
  double: fullFormats.double,
  int32: fullFormats.int32,
  int64: fullFormats.int64,
  byte: { type: 'string', validate: (value) => rBase64.test(value) },
  quantity: { type: 'string', validate: rQuantity },
};
