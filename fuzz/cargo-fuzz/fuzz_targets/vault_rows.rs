#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| plexus_fuzz::vault_rows(data));
