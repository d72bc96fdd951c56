//! Team pipelines: each is a layout of the Pipelines module, with sub-pipelines, each with its
//! stages. A pipeline record names its team pipeline (`Layout`), a `Sub_Pipeline` of it, and a
//! `Stage` of that sub-pipeline. Every organization has "Sales Pipeline"; administrators add
//! more (`PipelineSpec`, kept by the store by name only: ids derive from the pipeline's id).

use serde::{Deserialize, Serialize};

use crate::ids::Id;
use crate::modules::derived_id;

#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub id: Id,
    pub name: String,
    pub sequence_number: u32,
    /// Win probability in percent, as Bigin shows it beside each stage.
    pub probability: u32,
    /// `open`, `closed_won` or `closed_lost`.
    pub forecast: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SubPipeline {
    pub id: Id,
    pub name: String,
    pub stages: Vec<Stage>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TeamPipeline {
    pub id: Id,
    pub name: String,
    pub sub_pipelines: Vec<SubPipeline>,
}

impl TeamPipeline {
    pub fn sub_pipeline(&self, name: &str) -> Option<&SubPipeline> {
        self.sub_pipelines.iter().find(|s| s.name == name)
    }

    /// Every stage name of the team pipeline, once, in order.
    pub fn stage_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for stage in self.sub_pipelines.iter().flat_map(|s| &s.stages) {
            if !names.contains(&stage.name.as_str()) {
                names.push(&stage.name);
            }
        }
        names
    }
}

impl SubPipeline {
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }
}

const SALES_STAGES: &[(&str, u32, &str)] = &[
    ("Qualification", 10, "open"),
    ("Needs Identification", 20, "open"),
    ("Proposal/Price Quote", 60, "open"),
    ("Negotiation/Review", 80, "open"),
    ("Closed Won", 100, "closed_won"),
    ("Closed Lost", 0, "closed_lost"),
];

/// The team pipeline every new organization starts with: "Sales Pipeline", sub-pipeline
/// "Standard".
pub fn default_pipelines(org_id: Id) -> Vec<TeamPipeline> {
    let key = |part: &str| derived_id(org_id, &format!("pipeline:Sales Pipeline:{part}"));
    let stages = SALES_STAGES
        .iter()
        .enumerate()
        .map(|(i, (name, probability, forecast))| Stage {
            id: key(&format!("stage:{name}")),
            name: name.to_string(),
            sequence_number: i as u32 + 1,
            probability: *probability,
            forecast,
        })
        .collect();
    vec![TeamPipeline {
        id: key("layout"),
        name: "Sales Pipeline".into(),
        sub_pipelines: vec![SubPipeline { id: key("sub:Standard"), name: "Standard".into(), stages }],
    }]
}

/// A team pipeline an organization added: its name and its sub-pipelines with their stages, in
/// order. What the store keeps; [`PipelineSpec::build`] gives it ids and stage outlooks.
#[derive(Clone, Debug, PartialEq)]
pub struct PipelineSpec {
    pub id: Id,
    pub name: String,
    pub sub_pipelines: Vec<SubPipelineSpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubPipelineSpec {
    pub name: String,
    pub stages: Vec<String>,
}

/// Longest name of a team pipeline, sub-pipeline or stage.
pub const MAX_NAME: usize = 50;

impl PipelineSpec {
    /// The team pipeline, with ids derived from its own id: a stage name has one id across the
    /// pipeline's sub-pipelines, as it has one value in the pipeline's `Stage` picklist.
    pub fn build(&self, org_id: Id) -> TeamPipeline {
        let key = |part: &str| derived_id(org_id, &format!("pipeline:{}:{part}", self.id));
        let sub_pipelines = self
            .sub_pipelines
            .iter()
            .map(|sub| {
                let open = sub.stages.iter().filter(|s| closing(s).is_none()).count();
                let stages = sub
                    .stages
                    .iter()
                    .enumerate()
                    .map(|(i, name)| {
                        let (probability, forecast) = closing(name).unwrap_or_else(|| {
                            // Open stages climb evenly towards the close: 3 open stages are 25, 50, 75.
                            let step = sub.stages[..i].iter().filter(|s| closing(s).is_none()).count() + 1;
                            ((step * 100 / (open + 1)) as u32, "open")
                        });
                        Stage {
                            id: key(&format!("stage:{name}")),
                            name: name.clone(),
                            sequence_number: i as u32 + 1,
                            probability,
                            forecast,
                        }
                    })
                    .collect();
                SubPipeline { id: key(&format!("sub:{}", sub.name)), name: sub.name.clone(), stages }
            })
            .collect();
        TeamPipeline { id: self.id, name: self.name.clone(), sub_pipelines }
    }

    /// Why the pipeline cannot be added beside `existing`, if it cannot: names of 1 to 50
    /// characters, a name no team pipeline has (ignoring case), at least one sub-pipeline, and in
    /// each sub-pipeline at least one stage; names differ within their pipeline or sub-pipeline.
    pub fn check(&self, existing: &[TeamPipeline]) -> Result<(), String> {
        let fits = |what: &str, name: &str| {
            let n = name.trim().chars().count();
            if n == 0 || n > MAX_NAME || name.trim() != name {
                Err(format!("the {what} name {name:?} must have 1 to {MAX_NAME} characters, without spaces around"))
            } else {
                Ok(())
            }
        };
        fits("team pipeline", &self.name)?;
        if existing.iter().any(|p| p.name.eq_ignore_ascii_case(&self.name)) {
            return Err(format!("the organization has a team pipeline named {:?} already", self.name));
        }
        if self.sub_pipelines.is_empty() {
            return Err("a team pipeline needs at least one sub-pipeline".into());
        }
        for (i, sub) in self.sub_pipelines.iter().enumerate() {
            fits("sub-pipeline", &sub.name)?;
            if self.sub_pipelines[..i].iter().any(|s| s.name.eq_ignore_ascii_case(&sub.name)) {
                return Err(format!("the sub-pipeline {:?} is named twice", sub.name));
            }
            if sub.stages.is_empty() {
                return Err(format!("the sub-pipeline {:?} needs at least one stage", sub.name));
            }
            for (j, stage) in sub.stages.iter().enumerate() {
                fits("stage", stage)?;
                if sub.stages[..j].iter().any(|s| s.eq_ignore_ascii_case(stage)) {
                    return Err(format!("the stage {stage:?} is named twice in {:?}", sub.name));
                }
            }
        }
        Ok(())
    }
}

/// The probability and forecast of a stage that closes a pipeline record ("Closed Won", "Won",
/// "Closed Lost", "Lost"), as the default pipeline has them.
fn closing(name: &str) -> Option<(u32, &'static str)> {
    let lower = name.to_ascii_lowercase();
    if lower == "won" || lower == "closed won" {
        Some((100, "closed_won"))
    } else if lower == "lost" || lower == "closed lost" {
        Some((0, "closed_lost"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> Id {
        Id::from_i64(1_000_000_000_000_000_001)
    }

    fn spec() -> PipelineSpec {
        PipelineSpec {
            id: Id::from_i64(1_000_000_000_000_000_100),
            name: "Partners".into(),
            sub_pipelines: vec![
                SubPipelineSpec {
                    name: "Resellers".into(),
                    stages: vec!["Intro".into(), "Demo".into(), "Trial".into(), "Closed Won".into(), "Lost".into()],
                },
                SubPipelineSpec { name: "Referrals".into(), stages: vec!["Intro".into(), "Won".into()] },
            ],
        }
    }

    #[test]
    fn a_spec_builds_a_pipeline_with_stable_ids_and_outlooks() {
        let built = spec().build(org());
        assert_eq!(built, spec().build(org()));
        assert_eq!(built.id, spec().id);
        let resellers = built.sub_pipeline("Resellers").unwrap();
        let outlook: Vec<(u32, &str)> = resellers.stages.iter().map(|s| (s.probability, s.forecast)).collect();
        assert_eq!(outlook, [(25, "open"), (50, "open"), (75, "open"), (100, "closed_won"), (0, "closed_lost")]);
        // "Intro" is one picklist value of the pipeline: one id in both sub-pipelines.
        assert_eq!(resellers.stage("Intro").unwrap().id, built.sub_pipeline("Referrals").unwrap().stage("Intro").unwrap().id);
        assert_ne!(resellers.id, built.sub_pipeline("Referrals").unwrap().id);
        assert_eq!(built.stage_names(), ["Intro", "Demo", "Trial", "Closed Won", "Lost", "Won"]);
        let sales = &default_pipelines(org())[0];
        assert!(sales.sub_pipeline("Standard").unwrap().stages.iter().all(|s| s.id != resellers.stages[0].id));
    }

    #[test]
    fn specs_are_checked_against_the_pipelines_there_are() {
        let sales = default_pipelines(org());
        assert_eq!(spec().check(&sales), Ok(()));
        let mut taken = spec();
        taken.name = "sales pipeline".into();
        assert!(taken.check(&sales).unwrap_err().contains("already"));
        let mut twice = spec();
        twice.sub_pipelines[1].name = "RESELLERS".into();
        assert!(twice.check(&sales).is_err());
        let mut empty = spec();
        empty.sub_pipelines[0].stages.clear();
        assert!(empty.check(&sales).is_err());
        let mut none = spec();
        none.sub_pipelines.clear();
        assert!(none.check(&sales).is_err());
        let mut long = spec();
        long.sub_pipelines[0].stages[0] = "x".repeat(51);
        assert!(long.check(&sales).is_err());
        let mut blank = spec();
        blank.name = " ".into();
        assert!(blank.check(&sales).is_err());
    }
}
