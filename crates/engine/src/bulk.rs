//! What a bulk templated send makes of each destination, the same for SES
//! v2's `SendBulkEmail` and SES v1's `SendBulkTemplatedEmail`: the tags it
//! carries and the data it renders with.

use crate::template::parse_data;

/// Default tags, replaced by name or extended by the destination's own.
pub fn merged_tags(
    defaults: &[(String, String)],
    replacements: Vec<(String, String)>,
) -> Vec<(String, String)> {
    let mut tags = defaults.to_vec();
    for (name, value) in replacements {
        match tags.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => tags.push((name, value)),
        }
    }
    tags
}

/// The data a destination renders with: its replacement data, unless
/// absent or an empty object, which fall back to the default data (as SES
/// documents for both APIs). `member` names the replacement in errors.
pub fn entry_data(
    member: &str,
    default: &str,
    replacement: Option<String>,
) -> Result<String, String> {
    let Some(data) = replacement else {
        return Ok(default.to_owned());
    };
    let parsed = parse_data(member, &data)?;
    let empty = parsed.as_object().is_some_and(serde_json::Map::is_empty);
    Ok(if empty { default.to_owned() } else { data })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn replacement_tags_override_by_name() {
        let merged = merged_tags(
            &pairs(&[("a", "1"), ("b", "2")]),
            pairs(&[("b", "3"), ("c", "4")]),
        );
        assert_eq!(merged, pairs(&[("a", "1"), ("b", "3"), ("c", "4")]));
    }

    #[test]
    fn empty_replacement_data_falls_back_to_default() {
        let d = r#"{"name":"x"}"#;
        let m = "ReplacementTemplateData";
        assert_eq!(entry_data(m, d, None).unwrap(), d);
        assert_eq!(entry_data(m, d, Some("{}".into())).unwrap(), d);
        assert_eq!(entry_data(m, d, Some(" { } ".into())).unwrap(), d);
        assert_eq!(
            entry_data(m, d, Some(r#"{"name":"y"}"#.into())).unwrap(),
            r#"{"name":"y"}"#
        );
        let e = entry_data(m, d, Some("[1]".into())).unwrap_err();
        assert!(e.starts_with(m), "{e}");
    }
}
