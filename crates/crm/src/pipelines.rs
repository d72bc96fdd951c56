//! Team pipelines: each is a layout of the Pipelines module, with sub-pipelines, each with its
//! stages. A pipeline record names its team pipeline (`Layout`), a `Sub_Pipeline` of it, and a
//! `Stage` of that sub-pipeline.

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
