#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| plexus_fuzz::payload_decoders(data));
