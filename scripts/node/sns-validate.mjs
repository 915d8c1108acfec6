// Runs the npm package sns-validator over SNS envelopes, for
// scripts/sns-interop.py.
//
//   node sns-validate.mjs HOST_PATTERN < envelopes.json
//
// Reads a JSON array of envelopes on stdin and prints a JSON array with,
// for each, "ok" or the validator's error message. HOST_PATTERN is the
// one setting sns-validator needs for mailsight: a regular expression the
// SigningCertURL's host (with its port) must match, in place of the
// default that only allows sns.<region>.amazonaws.com. The certificate is
// fetched over https; the local authority mailsight made is trusted
// through NODE_EXTRA_CA_CERTS.

import MessageValidator from "sns-validator";

const pattern = new RegExp(process.argv[2]);
const validator = new MessageValidator(pattern);
let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = await Promise.all(
  JSON.parse(input).map(
    (envelope) =>
      new Promise((resolve) =>
        validator.validate(envelope, (err) => resolve(err ? String(err.message ?? err) : "ok")),
      ),
  ),
);
console.log(JSON.stringify(results));
