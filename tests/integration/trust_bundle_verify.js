// SPDX-License-Identifier: LGPL-2.1-or-later
// Verify a sigstore bundle with @sigstore/verify and a bare public key (no Fulcio, no Rekor):
// node verify.js BUNDLE.json KEY.pub SHA256HEX
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { toSignedEntity, toTrustMaterial, Verifier } = require('@sigstore/verify');

const [bundlePath, keyPath, digest] = process.argv.slice(2);
const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
const key = crypto.createPublicKey(fs.readFileSync(keyPath));
const trust = toTrustMaterial(
  { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] },
  () => ({ publicKey: key, validFor: () => true }));
const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
verifier.verify(toSignedEntity(bundle));
const statement = JSON.parse(Buffer.from(bundle.content.dsseEnvelope.payload).toString('utf8'));
if (!statement.subject.some((s) => s.digest.sha256 === digest)) {
  console.error('the statement does not name ' + digest);
  process.exit(1);
}
console.log('verified: ' + statement.subject[0].name + ' ' + statement.predicateType);
