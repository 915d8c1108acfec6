//! mailsight's fuzz targets (see `targets`), run by `scripts/fuzz`.

pub mod targets;
