//! `biginbox seed`: realistic records, fast and deterministic, for tests and benchmarks.
//!
//! Record number `i` of a seed is the same every time (its values come from a generator seeded
//! with `(seed, i)`), so a database can be grown in steps with `--start`. Values go through the
//! same validation as the API's (`crm::record`), unique values stay unique (they carry `i`),
//! pipeline records take a stage of their sub-pipeline, and lookups point at the organization's
//! existing companies and contacts. Records are written in batches, each batch one transaction.

use std::time::Instant;

use anyhow::{bail, Context};
use crm::modules::{Module, Schema};
use crm::record::{self, Mode};
use crm::Id;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use serde_json::{json, Map, Value};
use server::AppState;
use store::{ListQuery, RecordData, RecordRow, SortKey, UniqueKey};

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Carlos",
    "Karen",
    "Daniel",
    "Lisa",
    "Matthew",
    "Nancy",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Donald",
    "Ashley",
    "Steven",
    "Emily",
    "Paul",
    "Kimberly",
    "Andrew",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Carol",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "Priya",
    "Deborah",
    "Wei",
    "Stephanie",
    "Ahmed",
    "Rebecca",
    "Yuki",
    "Laura",
    "Olga",
    "Sharon",
    "Ted",
    "Cynthia",
    "Pierre",
    "Kathleen",
    "Lars",
    "Amy",
    "Diego",
    "Angela",
    "Kofi",
    "Helen",
    "Ivan",
    "Anna",
    "Mateo",
    "Brenda",
    "Noah",
    "Emma",
    "Liam",
    "Olivia",
    "Lucas",
    "Sofia",
    "Hiro",
    "Chloe",
    "Omar",
    "Zoe",
    "Raj",
    "Nina",
];

const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jimenez",
    "Powell",
    "Jenkins",
    "Perry",
    "Russell",
    "Sullivan",
    "Bell",
    "Coleman",
    "Butler",
    "Henderson",
    "Barnes",
    "Gonzales",
    "Fisher",
    "Vasquez",
    "Simmons",
    "Romero",
    "Jordan",
    "Patterson",
    "Alexander",
    "Hamilton",
    "Graham",
    "Reynolds",
    "Griffin",
    "Wallace",
    "Moreno",
    "West",
    "Cole",
    "Hayes",
    "Bryant",
    "Herrera",
    "Gibson",
    "Ellis",
    "Tran",
    "Medina",
    "Aguilar",
    "Stevens",
    "Murray",
    "Ford",
    "Castro",
    "Marshall",
    "Owens",
    "Harrison",
    "Fernandez",
    "McDonald",
    "Woods",
    "Washington",
    "Kennedy",
    "Wells",
    "Vargas",
    "Henry",
    "Chen",
    "Freeman",
    "Webb",
    "Tucker",
    "Guzman",
    "Burns",
    "Crawford",
    "Olson",
    "Simpson",
    "Porter",
    "Hunter",
    "Gordon",
    "Mendez",
    "Silva",
    "Shaw",
    "Snyder",
    "Mason",
    "Dixon",
    "Munoz",
    "Hunt",
    "Hicks",
    "Holmes",
    "Palmer",
    "Wagner",
    "Black",
    "Robertson",
    "Boyd",
    "Rose",
    "Stone",
    "Salazar",
    "Fox",
    "Warren",
    "Mills",
    "Meyer",
    "Rice",
    "Schmidt",
    "Garza",
    "Daniels",
    "Ferguson",
    "Nichols",
    "Stephens",
    "Soto",
    "Weaver",
    "Ryan",
    "Gardner",
    "Payne",
    "Grant",
    "Dunn",
    "Kelley",
    "Spencer",
    "Hawkins",
    "Arnold",
    "Pierce",
    "Vazquez",
    "Hansen",
    "Peters",
    "Santos",
    "Hart",
    "Bradley",
    "Knight",
    "Elliott",
    "Cunningham",
    "Duncan",
    "Armstrong",
    "Hudson",
    "Carroll",
    "Lane",
    "Riley",
    "Andrews",
    "Alvarado",
    "Ray",
    "Delgado",
    "Berry",
    "Perkins",
    "Hoffman",
    "Johnston",
    "Matthews",
    "Pena",
    "Richards",
    "Contreras",
    "Willis",
    "Carpenter",
    "Lawrence",
    "Sandoval",
    "Guerrero",
    "George",
    "Chapman",
    "Rios",
    "Estrada",
    "Ortega",
    "Watkins",
    "Greene",
    "Nunez",
    "Wheeler",
    "Valdez",
    "Harper",
    "Burke",
    "Larson",
    "Santiago",
    "Maldonado",
    "Morrison",
    "Franklin",
    "Carlson",
    "Austin",
    "Dominguez",
    "Carr",
    "Lawson",
    "Jacobs",
    "O'Brien",
    "Lynch",
    "Singh",
    "Vega",
    "Bishop",
    "Montgomery",
    "Oliver",
    "Jensen",
    "Harvey",
    "Williamson",
    "Gilbert",
    "Dean",
    "Sims",
    "Espinoza",
    "Howell",
    "Li",
    "Wong",
    "Reid",
    "Hanson",
    "Le",
    "McCoy",
    "Garrett",
    "Burton",
    "Fuller",
    "Wang",
    "Weber",
    "Welch",
    "Rojas",
    "Lucas",
    "Marquez",
    "Fields",
    "Park",
    "Yang",
    "Little",
    "Banks",
    "Padilla",
    "Day",
    "Walsh",
    "Bowman",
    "Schultz",
    "Luna",
    "Fowler",
    "Mejia",
    "Davidson",
    "Acosta",
    "Brewer",
    "May",
    "Holland",
    "Juarez",
    "Newman",
    "Pearson",
    "Curtis",
    "Cortez",
    "Douglas",
    "Schneider",
    "Joseph",
    "Barrett",
    "Navarro",
    "Figueroa",
    "Keller",
    "Avila",
    "Wade",
    "Molina",
    "Stanley",
    "Hopkins",
    "Campos",
    "Barnett",
    "Bates",
    "Chambers",
    "Caldwell",
    "Beck",
    "Lambert",
    "Miranda",
    "Byrd",
    "Craig",
    "Ayala",
    "Lowe",
    "Frazier",
    "Powers",
    "Neal",
    "Leonard",
    "Gregory",
    "Carrillo",
    "Sutton",
    "Fleming",
    "Rhodes",
    "Shelton",
    "Schwartz",
    "Norris",
    "Jennings",
    "Watts",
    "Duran",
    "Walters",
    "Cohen",
    "McDaniel",
    "Moran",
    "Parks",
    "Steele",
    "Vaughn",
    "Becker",
    "Holt",
    "DeLeon",
    "Barker",
    "Terry",
    "Hale",
    "Leon",
    "Hail",
    "Benson",
];

const TITLES: &[&str] = &[
    "CEO",
    "CTO",
    "VP Sales",
    "Sales Manager",
    "Account Executive",
    "Marketing Lead",
    "Office Manager",
    "Buyer",
    "Engineer",
    "Consultant",
    "Founder",
    "Director of Operations",
    "Procurement Lead",
    "Designer",
    "Analyst",
];

const CITIES: &[(&str, &str, &str)] = &[
    ("Austin", "TX", "United States"),
    ("Boston", "MA", "United States"),
    ("Chicago", "IL", "United States"),
    ("Denver", "CO", "United States"),
    ("Seattle", "WA", "United States"),
    ("Miami", "FL", "United States"),
    ("Toronto", "ON", "Canada"),
    ("Vancouver", "BC", "Canada"),
    ("London", "England", "United Kingdom"),
    ("Manchester", "England", "United Kingdom"),
    ("Chennai", "TN", "India"),
    ("Bengaluru", "KA", "India"),
    ("Sydney", "NSW", "Australia"),
    ("Berlin", "BE", "Germany"),
    ("Paris", "IDF", "France"),
    ("Madrid", "MD", "Spain"),
    ("Tokyo", "Tokyo", "Japan"),
    ("Singapore", "SG", "Singapore"),
];

const STREETS: &[&str] =
    &["Main St", "Oak Ave", "Maple Rd", "Cedar Ln", "Park Blvd", "Lake Dr", "Hill St", "River Rd", "Market St", "2nd Ave"];

const COMPANY_A: &[&str] = &[
    "Blue", "Red", "Green", "Silver", "Golden", "North", "South", "East", "West", "Bright", "Swift", "Prime", "Summit", "Pioneer", "Atlas",
    "Apex", "Cedar", "Maple", "Harbor", "River", "Stone", "Iron", "Crystal", "Lunar", "Solar", "Urban", "Rapid", "Noble", "Vivid", "Clear",
    "Bold", "Quiet", "Grand", "Little", "Bay", "Pine", "Oak", "Falcon", "Eagle", "Coral",
];
const COMPANY_B: &[&str] = &[
    "Harbor",
    "Ridge",
    "Valley",
    "Peak",
    "Bridge",
    "Field",
    "Point",
    "Works",
    "Labs",
    "Systems",
    "Foods",
    "Logistics",
    "Media",
    "Health",
    "Energy",
    "Motors",
    "Textiles",
    "Analytics",
    "Robotics",
    "Studios",
    "Farms",
    "Dynamics",
    "Networks",
    "Supply",
    "Builders",
    "Partners",
    "Ventures",
    "Outfitters",
    "Brewing",
    "Pharma",
    "Capital",
    "Travel",
    "Design",
    "Software",
    "Metals",
    "Foundry",
    "Goods",
    "Retail",
    "Marine",
    "Aero",
];
const COMPANY_C: &[&str] = &["Inc", "LLC", "Ltd", "Co", "Group", "Corp", "GmbH", "Pty", "SA", "Holdings", "& Sons", "Partners"];
const PRODUCTS: &[&str] = &[
    "Router",
    "Sensor",
    "Laptop",
    "Desk",
    "Chair",
    "License",
    "Support Plan",
    "Camera",
    "Printer",
    "Monitor",
    "Headset",
    "Tablet",
    "Server",
];
const MAIL_DOMAINS: &[&str] = &["mail.example", "inbox.example", "post.example", "webmail.example"];

/// 2025-01-01T00:00:00Z: record `i` is created `i` × 30 s after it.
const T0_MS: i64 = 1_735_689_600_000;
const STEP_MS: i64 = 30_000;

#[derive(Debug, Serialize)]
pub struct SeedReport {
    pub org_id: String,
    pub module: String,
    pub written: u64,
    pub skipped: u64,
    pub seconds: f64,
    pub records_per_second: f64,
}

/// What lookups can point at: ids and names of the organization's companies and contacts.
struct Targets {
    accounts: Vec<(Id, String)>,
    contacts: Vec<Id>,
}

async fn existing(state: &AppState, org_id: Id, module: &str, limit: u64) -> anyhow::Result<Vec<RecordRow>> {
    let query = ListQuery { module: module.into(), sort: SortKey::Id, descending: false, offset: 0, limit, filters: vec![] };
    state.store.list_records(org_id, &query).await
}

fn pick<'a>(rng: &mut StdRng, items: &'a [&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

fn slug(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase()
}

fn phone(rng: &mut StdRng) -> String {
    format!("+1 {}-{:03}-{:04}", rng.gen_range(201..990), rng.gen_range(0..1000), rng.gen_range(0..10000))
}

/// The company name of number `i`: distinct for every `i`.
fn company_name(i: u64, seed: u64) -> String {
    let (a, b, c) = (COMPANY_A.len() as u64, COMPANY_B.len() as u64, COMPANY_C.len() as u64);
    let combos = a * b * c;
    let n = (i + seed.wrapping_mul(7919)) % combos;
    let base = format!("{} {} {}", COMPANY_A[(n % a) as usize], COMPANY_B[(n / a % b) as usize], COMPANY_C[(n / (a * b)) as usize]);
    if i < combos {
        base
    } else {
        format!("{base} {}", i / combos + 1)
    }
}

/// The client-maintained values of record `i` of `module`.
fn values(module: &Module, schema: &Schema, i: u64, rng: &mut StdRng, targets: &Targets, owners: &[Id]) -> anyhow::Result<Value> {
    let owner = owners[rng.gen_range(0..owners.len())];
    let (city, state, country) = CITIES[rng.gen_range(0..CITIES.len())];
    let mut v = match module.api_name {
        "Contacts" => {
            let first = pick(rng, FIRST);
            let last = pick(rng, LAST);
            let account =
                (!targets.accounts.is_empty() && rng.gen_bool(0.85)).then(|| &targets.accounts[rng.gen_range(0..targets.accounts.len())]);
            let domain = match account {
                Some((_, name)) => format!("{}.example", slug(name)),
                None => pick(rng, MAIL_DOMAINS).to_string(),
            };
            let mut c = json!({
                "First_Name": first,
                "Last_Name": last,
                "Email": format!("{}.{}{i}@{domain}", slug(first), slug(last)),
                "Phone": phone(rng),
                "Title": pick(rng, TITLES),
                "Mailing_Street": format!("{} {}", rng.gen_range(1..9999), pick(rng, STREETS)),
                "Mailing_City": city,
                "Mailing_State": state,
                "Mailing_Country": country,
                "Mailing_Zip": format!("{:05}", rng.gen_range(1000..99999)),
                "Email_Opt_Out": rng.gen_bool(0.1),
            });
            if rng.gen_bool(0.6) {
                c["Mobile"] = json!(phone(rng));
            }
            if let Some((id, _)) = account {
                c["Account_Name"] = json!({"id": id.to_string()});
            }
            c
        }
        "Accounts" => {
            let name = company_name(i, 0);
            json!({
                "Account_Name": name,
                "Phone": phone(rng),
                "Website": format!("https://www.{}.example", slug(&name)),
                "Billing_Street": format!("{} {}", rng.gen_range(1..9999), pick(rng, STREETS)),
                "Billing_City": city,
                "Billing_State": state,
                "Billing_Country": country,
                "Billing_Code": format!("{:05}", rng.gen_range(1000..99999)),
            })
        }
        "Pipelines" => {
            let pipeline = &schema.pipelines[rng.gen_range(0..schema.pipelines.len())];
            let sub = &pipeline.sub_pipelines[rng.gen_range(0..pipeline.sub_pipelines.len())];
            // Early stages hold more deals than late ones.
            let weights: Vec<u32> = (0..sub.stages.len() as u32).map(|k| sub.stages.len() as u32 + 1 - k).collect();
            let mut roll = rng.gen_range(0..weights.iter().sum::<u32>());
            let mut stage = &sub.stages[0];
            for (k, w) in weights.iter().enumerate() {
                if roll < *w {
                    stage = &sub.stages[k];
                    break;
                }
                roll -= w;
            }
            let mut d = json!({
                "Deal_Name": format!("{} {} deal {i}", pick(rng, COMPANY_A), pick(rng, PRODUCTS)),
                "Layout": {"id": pipeline.id.to_string()},
                "Sub_Pipeline": sub.name,
                "Stage": stage.name,
                "Amount": (rng.gen_range(5..5000) * 100) as f64,
                "Closing_Date": format!("2026-{:02}-{:02}", rng.gen_range(1..13), rng.gen_range(1..29)),
            });
            if !targets.accounts.is_empty() {
                d["Account_Name"] = json!({"id": targets.accounts[rng.gen_range(0..targets.accounts.len())].0.to_string()});
            }
            if !targets.contacts.is_empty() {
                d["Contact_Name"] = json!({"id": targets.contacts[rng.gen_range(0..targets.contacts.len())].to_string()});
            }
            d
        }
        "Products" => {
            let item = pick(rng, PRODUCTS);
            let category = ["Hardware", "Software", "Services"][rng.gen_range(0..3)];
            json!({
                "Product_Name": format!("{} {item} {}", pick(rng, COMPANY_A), i + 100),
                "Product_Code": format!("{}-{i:06}", slug(item).to_ascii_uppercase()),
                "Product_Category": category,
                "Unit_Price": (rng.gen_range(10..20000) as f64) / 10.0,
                "Product_Active": rng.gen_bool(0.9),
            })
        }
        other => bail!("seed makes Contacts, Accounts, Pipelines and Products, not {other}"),
    };
    v["Owner"] = json!({"id": owner.to_string()});
    Ok(v)
}

/// Records per transaction. Each record touches a dozen indexes at random places, so a larger
/// transaction writes each dirtied page to the WAL once for more records: 25,000 loaded about
/// 40% faster than 5,000 on SQLite, for some 25 MB of records in flight.
const BATCH: u64 = 25_000;

/// Record number `i` of `seed`, validated, with its unique keys.
#[allow(clippy::too_many_arguments)]
fn make(
    org_id: Id,
    schema: &Schema,
    module: &Module,
    seed: u64,
    i: u64,
    targets: &Targets,
    owners: &[Id],
    unique: &[String],
    ids: &crm::IdMinter,
) -> anyhow::Result<(RecordRow, Vec<UniqueKey>)> {
    let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03));
    let input = values(module, schema, i, &mut rng, targets, owners)?;
    let draft =
        record::validate(schema, module, &input, 0, Mode::Insert).map_err(|e| anyhow::anyhow!("generated an invalid record: {e:?}"))?;
    let mut data: Map<String, Value> = draft.values.into_iter().filter(|(_, v)| !v.is_null()).collect();
    if module.api_name == "Pipelines" {
        record::check_pipeline_stage(schema, &mut data, 0).map_err(|e| anyhow::anyhow!("generated an invalid stage: {e:?}"))?;
    }
    let created = T0_MS + i as i64 * STEP_MS + rng.gen_range(0..STEP_MS);
    let modified = created + rng.gen_range(0..90 * 86_400_000i64);
    let owner = draft.owner.unwrap_or(owners[0]);
    let keys = unique
        .iter()
        .filter_map(|f| data.get(f).and_then(Value::as_str).map(|v| UniqueKey { field: f.clone(), value: v.trim().to_lowercase() }))
        .collect();
    let row = RecordRow {
        org_id,
        module: module.api_name.to_string(),
        id: ids.mint(now_ms()),
        name: record::display_name(module, &data),
        owner_id: owner,
        created_by: owner,
        modified_by: owner,
        created_time: created,
        modified_time: modified,
        words: crm::query::words(module, &data),
        data: RecordData::from_map(&data),
    };
    Ok((row, keys))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Generates `count` records of `module` (numbers `start..start+count`) for `org_id`.
pub async fn seed(state: &AppState, org_id: &str, module_name: &str, count: u64, seed: u64, start: u64) -> anyhow::Result<SeedReport> {
    let org_id = Id::parse(org_id).with_context(|| format!("{org_id:?} is not an organization id"))?;
    anyhow::ensure!(state.store.org(org_id).await?.is_some(), "no organization has the id {org_id}");
    let schema = state.schema(org_id).await?;
    let module = schema.module(module_name).with_context(|| format!("{module_name:?} is not a module"))?;
    let owners: Vec<Id> = state.store.org_users(org_id).await?.into_iter().filter(|u| u.status == "active").map(|u| u.id).collect();
    anyhow::ensure!(!owners.is_empty(), "the organization has no active user to own records");
    let needs = matches!(module.api_name, "Contacts" | "Pipelines");
    let targets = Targets {
        accounts: if needs {
            existing(state, org_id, "Accounts", 100_000).await?.into_iter().map(|r| (r.id, r.name)).collect()
        } else {
            Vec::new()
        },
        contacts: if module.api_name == "Pipelines" {
            existing(state, org_id, "Contacts", 100_000).await?.into_iter().map(|r| r.id).collect()
        } else {
            Vec::new()
        },
    };
    let unique: Vec<String> = module.fields.iter().filter(|f| f.unique).map(|f| f.api_name.clone()).collect();
    let started = Instant::now();
    // One thread makes the records while this task writes the previous batch.
    let (batches, mut ready) = tokio::sync::mpsc::channel::<anyhow::Result<Vec<(RecordRow, Vec<UniqueKey>)>>>(2);
    let maker = {
        let (schema, ids, module_name) = (schema.clone(), state.ids.clone(), module.api_name.to_string());
        std::thread::spawn(move || {
            let module = schema.module(&module_name).expect("the module was found above");
            let mut next = start;
            while next < start + count {
                let end = (next + BATCH).min(start + count);
                let batch = (next..end).map(|i| make(org_id, &schema, module, seed, i, &targets, &owners, &unique, &ids)).collect();
                if batches.blocking_send(batch).is_err() {
                    return;
                }
                next = end;
            }
        })
    };
    let (mut written, mut skipped) = (0u64, 0u64);
    let mut writing = std::time::Duration::ZERO;
    while let Some(batch) = ready.recv().await {
        let batch = batch?;
        let write_started = Instant::now();
        let n = state.store.bulk_insert_records(&batch).await?;
        writing += write_started.elapsed();
        written += n;
        skipped += batch.len() as u64 - n;
    }
    maker.join().map_err(|_| anyhow::anyhow!("the record maker panicked"))?;
    let analyze_started = Instant::now();
    state.store.analyze().await?;
    tracing::debug!(writing = ?writing, analyze = ?analyze_started.elapsed(), "seeded");
    let seconds = started.elapsed().as_secs_f64();
    Ok(SeedReport {
        org_id: org_id.to_string(),
        module: module.api_name.to_string(),
        written,
        skipped,
        seconds,
        records_per_second: written as f64 / seconds.max(1e-9),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use crm::pipelines::{PipelineSpec, SubPipelineSpec};

    use super::*;

    const ORG: i64 = 1_000_000_000_000_000_001;

    fn schema() -> Schema {
        let org = Id::from_i64(ORG);
        let partners = PipelineSpec {
            id: Id::from_i64(1_000_000_000_000_000_777),
            name: "Partners".into(),
            sub_pipelines: vec![
                SubPipelineSpec { name: "Resellers".into(), stages: vec!["Intro".into(), "Demo".into(), "Won".into(), "Lost".into()] },
                SubPipelineSpec { name: "Referrals".into(), stages: vec!["Referred".into(), "Won".into()] },
            ],
        };
        Schema::default_for(org).with_team_pipelines(org, &[partners])
    }

    fn targets() -> Targets {
        Targets {
            accounts: (0..40).map(|n| (Id::from_i64(1_100_000_000_000_000_000 + n), company_name(n as u64, 0))).collect(),
            contacts: (0..60).map(|n| Id::from_i64(1_200_000_000_000_000_000 + n)).collect(),
        }
    }

    fn owners() -> Vec<Id> {
        vec![Id::from_i64(1_300_000_000_000_000_001), Id::from_i64(1_300_000_000_000_000_002)]
    }

    /// Records `range` of `module` with `seed`: their data and owners (ids are minted anew each
    /// time, so they are left out).
    fn records(module: &str, seed: u64, range: std::ops::Range<u64>) -> Vec<(Map<String, Value>, Id, String)> {
        let schema = schema();
        let m = schema.module(module).unwrap();
        let unique: Vec<String> = m.fields.iter().filter(|f| f.unique).map(|f| f.api_name.clone()).collect();
        let ids = crm::IdMinter::new(1);
        let (targets, owners) = (targets(), owners());
        range
            .map(|i| {
                let (row, _) = make(Id::from_i64(ORG), &schema, m, seed, i, &targets, &owners, &unique, &ids).unwrap();
                (row.data.to_map(), row.owner_id, row.name)
            })
            .collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_records_and_another_seed_others() {
        for module in ["Contacts", "Accounts", "Pipelines", "Products"] {
            let first = records(module, 7, 0..300);
            assert_eq!(first, records(module, 7, 0..300), "{module}: same seed, same records");
            // A record depends on its number, not on the ones made before it (`--start`).
            assert_eq!(first[250..], records(module, 7, 250..300)[..], "{module}: grown in steps");
            let other = records(module, 8, 0..300);
            let differing = first.iter().zip(&other).filter(|(a, b)| a != b).count();
            assert!(differing > 290, "{module}: only {differing} of 300 records differ with another seed");
        }
        // Created times follow the record number, whatever the seed.
        let schema = schema();
        let contacts = schema.module("Contacts").unwrap();
        let ids = crm::IdMinter::new(1);
        let at = |seed: u64, i: u64| make(Id::from_i64(ORG), &schema, contacts, seed, i, &targets(), &owners(), &[], &ids).unwrap().0;
        for i in [0, 1, 999] {
            let (a, b) = (at(1, i), at(2, i));
            assert!((T0_MS + i as i64 * STEP_MS..T0_MS + (i as i64 + 1) * STEP_MS).contains(&a.created_time));
            assert!(b.modified_time >= b.created_time);
        }
    }

    #[test]
    fn contacts_are_realistic() {
        let contacts = records("Contacts", 3, 0..3_000);
        let companies: HashMap<String, String> = targets().accounts.into_iter().map(|(id, name)| (id.to_string(), name)).collect();
        let owners: HashSet<Id> = owners().into_iter().collect();
        let mut emails = HashSet::new();
        let mut with_account = 0;
        for (data, owner, name) in &contacts {
            let email = data["Email"].as_str().unwrap().to_ascii_lowercase();
            assert!(emails.insert(email.clone()), "{email} is given twice");
            let (user, domain) = email.split_once('@').unwrap();
            assert!(!user.is_empty() && domain.ends_with(".example"), "{email}");
            let (first, last) = (data["First_Name"].as_str().unwrap(), data["Last_Name"].as_str().unwrap());
            assert_eq!(name, &format!("{first} {last}"));
            assert!(FIRST.contains(&first) && LAST.contains(&last));
            assert!(data["Phone"].as_str().unwrap().starts_with("+1 "));
            assert!(owners.contains(owner));
            if let Some(account) = data.get("Account_Name") {
                with_account += 1;
                // The lookup names one of the organization's companies, and the e-mail is at its domain.
                let id = account.as_str().unwrap();
                let company = companies.get(id).unwrap_or_else(|| panic!("{id} is not an existing account"));
                assert_eq!(domain, format!("{}.example", slug(company)));
            }
        }
        // Most contacts work at a company, not all.
        assert!((2_300..2_900).contains(&with_account), "{with_account} of 3000 have an account");
        // Names repeat, as real ones do, but are spread.
        let lasts: HashSet<&str> = contacts.iter().map(|(d, _, _)| d["Last_Name"].as_str().unwrap()).collect();
        assert!(lasts.len() > 200, "{} distinct last names", lasts.len());
    }

    #[test]
    fn companies_have_distinct_names() {
        let accounts = records("Accounts", 3, 0..20_000);
        let names: HashSet<String> = accounts.iter().map(|(d, _, _)| d["Account_Name"].as_str().unwrap().to_ascii_lowercase()).collect();
        assert_eq!(names.len(), accounts.len());
        assert!(accounts.iter().all(|(d, _, _)| d["Website"].as_str().unwrap().starts_with("https://www.")));
    }

    #[test]
    fn pipelines_take_a_stage_of_their_sub_pipeline_and_existing_lookups() {
        let schema = schema();
        let deals = records("Pipelines", 5, 0..2_000);
        let (accounts, contacts): (HashSet<String>, HashSet<String>) = {
            let t = targets();
            (t.accounts.iter().map(|(id, _)| id.to_string()).collect(), t.contacts.iter().map(Id::to_string).collect())
        };
        let mut seen_pipelines = HashSet::new();
        let mut seen_stages = HashSet::new();
        for (data, _, _) in &deals {
            let layout = data["Layout"].as_str().map(str::to_string).unwrap_or_else(|| data["Layout"]["id"].as_str().unwrap().to_string());
            let pipeline = schema.pipelines.iter().find(|p| p.id.to_string() == layout).unwrap_or_else(|| panic!("no pipeline {layout}"));
            let sub = pipeline.sub_pipelines.iter().find(|s| s.name == data["Sub_Pipeline"]).unwrap();
            let stage = data["Stage"].as_str().unwrap();
            assert!(sub.stages.iter().any(|s| s.name == stage), "{stage} is not a stage of {}", sub.name);
            seen_pipelines.insert(pipeline.name.clone());
            seen_stages.insert((sub.name.clone(), stage.to_string()));
            assert!(accounts.contains(data["Account_Name"].as_str().unwrap()));
            assert!(contacts.contains(data["Contact_Name"].as_str().unwrap()));
            let amount = data["Amount"].as_f64().unwrap();
            assert!((500.0..500_000.0).contains(&amount), "{amount}");
            let date: Vec<u32> = data["Closing_Date"].as_str().unwrap().split('-').map(|p| p.parse().unwrap()).collect();
            assert!(date[0] == 2026 && (1..=12).contains(&date[1]) && (1..=28).contains(&date[2]), "{date:?}");
        }
        // Every pipeline and every stage of it is used.
        assert_eq!(seen_pipelines.len(), schema.pipelines.len());
        let all_stages: usize = schema.pipelines.iter().flat_map(|p| &p.sub_pipelines).map(|s| s.stages.len()).sum();
        assert_eq!(seen_stages.len(), all_stages);
    }
}
