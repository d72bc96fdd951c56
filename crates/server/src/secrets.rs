//! Minting and checking secrets. Client secrets and passwords are kept as argon2id hashes; grant
//! codes, tokens and session ids as HMAC-SHA256 digests under a key shared by every node. Secret
//! comparisons run in constant time.

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::Argon2;
use hmac::{Hmac, Mac};
use rand::distributions::Alphanumeric;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// Holds the digest key, as an HMAC whose key schedule is done once; `Debug` never shows it.
pub struct Secrets {
    keyed: HmacSha256,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets([redacted])")
    }
}

impl Secrets {
    /// Loads the deployment's digest key, creating it on first use.
    pub async fn load(store: &dyn store::Store) -> anyhow::Result<Self> {
        let mut candidate = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut candidate);
        let key = store.server_key(candidate).await?;
        Ok(Self { keyed: HmacSha256::new_from_slice(&key).expect("HMAC takes any key length") })
    }

    /// The keyed digest a code, token or session id is stored under.
    pub fn digest(&self, secret: &str) -> Vec<u8> {
        let mut mac = self.keyed.clone();
        mac.update(secret.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// A Zoho-style token or code: `1000.<32 hex>.<32 hex>`.
pub fn mint_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("1000.{}.{}", hex::encode(&bytes[..16]), hex::encode(&bytes[16..]))
}

/// A client id: `1000.` and 30 upper-case letters and digits.
pub fn mint_client_id() -> String {
    let body: String = rand::thread_rng().sample_iter(&Alphanumeric).take(30).map(|c| (c as char).to_ascii_uppercase()).collect();
    format!("1000.{body}")
}

/// A client secret: 42 lower-case hex digits.
pub fn mint_client_secret() -> String {
    let mut bytes = [0u8; 21];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A random opaque value for cookies and CSRF tokens.
pub fn mint_opaque() -> String {
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// argon2id with 7 MiB and 5 passes: one of the configurations OWASP's password storage cheat
/// sheet lists as equal in strength to its 19 MiB / 2 passes first choice. Less memory a check
/// keeps a server's resident memory small; hashes made with other costs still verify.
fn hasher() -> Argon2<'static> {
    let params = argon2::Params::new(7 * 1024, 5, 1, None).expect("valid argon2 parameters");
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

pub fn hash_password(secret: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::thread_rng());
    hasher().hash_password(secret.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| anyhow::anyhow!("hashing: {e}"))
}

/// Checks `secret` against an argon2 hash; a malformed hash never verifies.
pub fn verify_password(secret: &str, hash: &str) -> bool {
    verify_in(&mut Vec::new(), secret, hash)
}

/// [`verify_password`] working in `memory`, which is grown to the hash's memory cost and kept:
/// blocks of many MiB freed and allocated again leave glibc's allocator holding several of them
/// (a server was seen at 107 MB after five 19 MiB checks).
fn verify_in(memory: &mut Vec<argon2::Block>, secret: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let (Ok(algorithm), Ok(params)) = (argon2::Algorithm::try_from(parsed.algorithm), argon2::Params::try_from(&parsed)) else {
        return false;
    };
    let version = match parsed.version.map(argon2::Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), argon2::Block::default());
    }
    let blocks = params.block_count();
    let mut out = vec![0u8; expected.len()];
    let hashed =
        Argon2::new(algorithm, version, params).hash_password_into_with_memory(secret.as_bytes(), salt, &mut out, &mut memory[..blocks]);
    hashed.is_ok() && constant_time_eq(&out, expected.as_bytes())
}

/// Checks passwords and client secrets against their argon2 hashes on one dedicated thread: the
/// work stays off the async workers, and its 19 MiB of memory is one block the thread reuses
/// rather than a block left behind in the allocator of every thread that ever hashed.
pub struct Verifier {
    jobs: std::sync::mpsc::Sender<(String, String, tokio::sync::oneshot::Sender<bool>)>,
    /// A hash of nothing anyone knows, checked when there is no real hash, so that a missing
    /// account costs as much as a wrong password (timing does not tell which e-mails exist).
    dummy_hash: String,
}

impl Verifier {
    pub fn start() -> anyhow::Result<Self> {
        let (jobs, queue) = std::sync::mpsc::channel::<(String, String, tokio::sync::oneshot::Sender<bool>)>();
        std::thread::Builder::new().name("argon2".into()).spawn(move || {
            let mut memory = Vec::new();
            for (secret, hash, answer) in queue {
                let _ = answer.send(verify_in(&mut memory, &secret, &hash));
            }
        })?;
        Ok(Self { jobs, dummy_hash: hash_password(&mint_opaque())? })
    }

    /// Does `secret` match `hash`? Without a hash, the same work is done against a dummy one, and
    /// the answer is no.
    pub async fn verify_or_dummy(&self, secret: &str, hash: Option<&str>) -> bool {
        match hash {
            Some(hash) => self.verify(secret, hash).await,
            None => {
                self.verify(secret, &self.dummy_hash).await;
                false
            }
        }
    }

    /// Does `secret` match `hash`? A malformed hash, or a stopped thread, never verifies.
    pub async fn verify(&self, secret: &str, hash: &str) -> bool {
        let (answer, answered) = tokio::sync::oneshot::channel();
        if self.jobs.send((secret.to_string(), hash.to_string(), answer)).is_err() {
            return false;
        }
        answered.await.unwrap_or(false)
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// PKCE S256: `BASE64URL(SHA256(verifier)) == challenge`.
pub fn pkce_s256_matches(verifier: &str, challenge: &str) -> bool {
    let digest = Sha256::digest(verifier.as_bytes());
    constant_time_eq(base64url(&digest).as_bytes(), challenge.as_bytes())
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 2);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_look_like_zohos() {
        let token = mint_token();
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], "1000");
        assert!(parts[1..].iter().all(|p| p.len() == 32 && p.chars().all(|c| c.is_ascii_hexdigit())));
        assert_eq!(mint_client_id().len(), 35);
        assert_eq!(mint_client_secret().len(), 42);
    }

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{hash}");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct hors", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn reused_memory_verifies_hashes_of_any_parameters() {
        use argon2::password_hash::PasswordVerifier;
        // Hashes made by the argon2 crate itself with other costs and variants, checked in
        // one memory grown as needed (smaller hashes use a prefix), agree with the crate's own verifier.
        let mut memory = Vec::new();
        for (algorithm, m, t) in
            [(argon2::Algorithm::Argon2id, 19_456, 2), (argon2::Algorithm::Argon2i, 64, 3), (argon2::Algorithm::Argon2d, 4_096, 1)]
        {
            let params = argon2::Params::new(m, t, 1, None).unwrap();
            let hasher = Argon2::new(algorithm, argon2::Version::V0x13, params);
            let salt = SaltString::generate(&mut rand::thread_rng());
            let hash = hasher.hash_password(b"s3cret", &salt).unwrap().to_string();
            let parsed = PasswordHash::new(&hash).unwrap();
            assert!(Argon2::default().verify_password(b"s3cret", &parsed).is_ok());
            assert!(verify_in(&mut memory, "s3cret", &hash), "{hash}");
            assert!(!verify_in(&mut memory, "s3cre", &hash), "{hash}");
        }
        let truncated = hash_password("abc").unwrap();
        assert!(!verify_in(&mut memory, "abc", &truncated[..truncated.len() - 4]));
    }

    #[test]
    fn pkce_matches_the_rfc_7636_example() {
        assert!(pkce_s256_matches("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
        assert!(!pkce_s256_matches("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    }
}
