import { Schema } from 'mongoose'

/** The stored form of an encrypted PII value (see privacy/pii-crypto.ts): key id and ciphertext. */
export const encryptedValueSchema = new Schema(
  { k: { type: String, required: true }, v: { type: String, required: true } },
  { _id: false },
)
