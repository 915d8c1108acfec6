//! SHA1withRSA signing (`SignatureVersion` 1).
//!
//! aws-lc-rs verifies PKCS#1 v1.5 signatures over SHA-1 but offers no SHA-1
//! signing encoding, so this one operation calls AWS-LC's `RSA_sign` through
//! `aws-lc-sys` (the same library aws-lc-rs is built on). It is the only
//! unsafe code of the crate.
#![allow(unsafe_code)]

use std::mem::MaybeUninit;

use aws_lc_rs::digest;
use aws_lc_sys as ffi;

/// Frees an `EVP_PKEY` when dropped.
struct PKey(*mut ffi::EVP_PKEY);

impl Drop for PKey {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `EVP_parse_private_key`, is non-null,
        // and is owned by this guard alone.
        unsafe { ffi::EVP_PKEY_free(self.0) }
    }
}

/// Signs SHA-1(`msg`) with PKCS#1 v1.5 padding under the RSA key `pkcs8`
/// (unencrypted PKCS#8 DER). `None` if the key is not RSA or signing fails.
pub(crate) fn sign_sha1(pkcs8: &[u8], msg: &[u8]) -> Option<Vec<u8>> {
    let hash = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, msg);
    let hash = hash.as_ref();
    // SAFETY: `CBS_init` only records the pointer and length of `pkcs8`,
    // which outlives every use of `cbs`. `EVP_parse_private_key` returns an
    // owned key or null; the guard frees it. `EVP_PKEY_get0_RSA` borrows
    // from the key (null if not RSA), used only while the guard lives.
    // `RSA_sign` writes at most `RSA_size` bytes into `out`, which has
    // exactly that length, and stores the written length in `out_len`.
    unsafe {
        let mut cbs = MaybeUninit::<ffi::CBS>::uninit();
        ffi::CBS_init(cbs.as_mut_ptr(), pkcs8.as_ptr(), pkcs8.len());
        let pkey = ffi::EVP_parse_private_key(cbs.as_mut_ptr());
        if pkey.is_null() {
            ffi::ERR_clear_error();
            return None;
        }
        let pkey = PKey(pkey);
        let rsa = ffi::EVP_PKEY_get0_RSA(pkey.0);
        if rsa.is_null() {
            ffi::ERR_clear_error();
            return None;
        }
        let size = usize::try_from(ffi::RSA_size(rsa)).ok()?;
        let mut out = vec![0u8; size];
        let mut out_len: std::os::raw::c_uint = 0;
        let ok = ffi::RSA_sign(
            ffi::NID_sha1,
            hash.as_ptr(),
            hash.len(),
            out.as_mut_ptr(),
            &mut out_len,
            rsa,
        );
        if ok != 1 {
            ffi::ERR_clear_error();
            return None;
        }
        out.truncate(usize::try_from(out_len).ok()?);
        Some(out)
    }
}
