//! Checking client secrets. They are stored as argon2id hashes, which are slow and memory-hungry on
//! purpose: checks run on the `Verifier`'s thread, and once a secret has verified its keyed digest
//! is remembered so that later token calls of the same client cost one HMAC.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use store::Client;

use crate::secrets::{self, Secrets, Verifier};

pub struct ClientSecrets {
    secrets: Arc<Secrets>,
    verified: Mutex<HashMap<String, (String, Vec<u8>)>>,
    verifier: Arc<Verifier>,
}

impl ClientSecrets {
    pub fn new(secrets: Arc<Secrets>, verifier: Arc<Verifier>) -> Self {
        Self { secrets, verified: Mutex::new(HashMap::new()), verifier }
    }

    pub async fn verify(&self, client: &Client, secret: &str) -> bool {
        let digest = self.secrets.digest(secret);
        {
            let verified = self.verified.lock().expect("secret cache poisoned");
            // The entry only counts for the hash it was verified against, so a regenerated
            // secret invalidates it.
            if let Some((hash, known)) = verified.get(&client.client_id) {
                if *hash == client.secret_hash {
                    return secrets::constant_time_eq(known, &digest);
                }
            }
        }
        if !self.verifier.verify(secret, &client.secret_hash).await {
            return false;
        }
        self.verified.lock().expect("secret cache poisoned").insert(client.client_id.clone(), (client.secret_hash.clone(), digest));
        true
    }
}
