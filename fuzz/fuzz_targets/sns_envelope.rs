#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailsight_fuzz::targets::sns_envelope(data));
