//! Checking client secrets. They are stored as argon2id hashes, which are slow on purpose; once a
//! secret has verified, its keyed digest is remembered so that later token calls of the same
//! client cost one HMAC instead of one argon2 run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use store::Client;

use crate::secrets::{self, Secrets};

pub struct ClientSecrets {
    secrets: Arc<Secrets>,
    verified: Mutex<HashMap<String, (String, Vec<u8>)>>,
}

impl ClientSecrets {
    pub fn new(secrets: Arc<Secrets>) -> Self {
        Self { secrets, verified: Mutex::new(HashMap::new()) }
    }

    pub fn verify(&self, client: &Client, secret: &str) -> bool {
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
        if !secrets::verify_password(secret, &client.secret_hash) {
            return false;
        }
        self.verified.lock().expect("secret cache poisoned").insert(client.client_id.clone(), (client.secret_hash.clone(), digest));
        true
    }
}
