import { randomInt } from "crypto";
import sodium from "libsodium-wrappers";

/** A repository's Actions key pair: the public half is what `GET .../actions/secrets/public-key` hands out. */
export interface SecretsKey {
    keyId: string;
    /** Base64 (standard alphabet, padded), 32 bytes each. */
    publicKey: string;
    privateKey: string;
}

export interface StoredSecret {
    /** The sealed box as the client sent it, base64. */
    encryptedValue: string;
    keyId: string;
    createdAt: string;
    updatedAt: string;
}

async function ready(): Promise<typeof sodium> {
    await sodium.ready;
    return sodium;
}

const B64 = () => sodium.base64_variants.ORIGINAL;

/** A new Curve25519 key pair; GitHub's key ids are decimal strings. */
export async function newSecretsKey(): Promise<SecretsKey> {
    const s = await ready();
    const pair = s.crypto_box_keypair();
    return {
        keyId: String(randomInt(1e9, 2 ** 47)),
        publicKey: s.to_base64(pair.publicKey, B64()),
        privateKey: s.to_base64(pair.privateKey, B64()),
    };
}

/** Whether `value` is base64 that decodes to a sealed box at all (48 bytes of overhead, then the message). */
export async function isSealedBox(value: string): Promise<boolean> {
    const s = await ready();
    try {
        return s.from_base64(value, B64()).length >= s.crypto_box_SEALBYTES;
    } catch {
        return false;
    }
}

/** Opens a sealed box with the repository's key; throws when it was not sealed to that key. */
export async function openSealedBox(key: SecretsKey, encryptedValue: string): Promise<string> {
    const s = await ready();
    const opened = s.crypto_box_seal_open(s.from_base64(encryptedValue, B64()), s.from_base64(key.publicKey, B64()), s.from_base64(key.privateKey, B64()));
    return s.to_string(opened);
}
