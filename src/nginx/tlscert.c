/* tlscert.c - a throwaway EC P-256 key and a self-signed X509v3
 * certificate for localhost, 127.0.0.1 and ::1, valid a week (libcrypto,
 * OpenSSL 3's EVP API). The bursts check no certificate on loopback; the
 * names are there so that a curl or h2load by hand can check it with
 * --cacert if one wants. */
#include "tlscert.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define TLSCERT_DAYS 7

/* "what: libcrypto's first queued reason" into err; clears the queue. */
static bool
fail(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char why[256] = "";

	if (e)
		ERR_error_string_n(e, why, sizeof why);
	ERR_clear_error();
	snprintf(err, errlen, "cannot make the TLS certificate: %s%s%s", what, *why ? ": " : "",
		why);
	return false;
}

static bool
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	bool ok;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);	/* self-signed: issuer is subject */
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return false;
	ok = X509_add_ext(x, ext, -1) == 1;
	X509_EXTENSION_free(ext);
	return ok;
}

/* A random positive 64-bit serial: two throwaway certificates of one
 * second never share issuer and serial (browsers' caches care). */
static bool
set_serial(X509 *x)
{
	BIGNUM *bn = BN_new();
	bool ok = bn && BN_rand(bn, 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
		BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;

	BN_free(bn);
	return ok;
}

static bool
set_names(X509 *x)
{
	X509_NAME *name = X509_get_subject_name(x);

	return X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
			(const unsigned char *)"ngx-leaktop throwaway", -1, -1, 0) == 1 &&
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
			(const unsigned char *)"localhost", -1, -1, 0) == 1 &&
		X509_set_issuer_name(x, name) == 1;
}

static X509 *
make_cert(EVP_PKEY *key, char *err, size_t errlen)
{
	X509 *x = X509_new();

	/* a minute back: a clock a little behind nginx's still accepts it */
	if (!x || X509_set_version(x, 2) != 1 || !set_serial(x) ||
		!X509_gmtime_adj(X509_getm_notBefore(x), -60) ||
		!X509_gmtime_adj(X509_getm_notAfter(x), (long)TLSCERT_DAYS * 24 * 3600) ||
		X509_set_pubkey(x, key) != 1 || !set_names(x) ||
		!add_ext(x, NID_basic_constraints, "critical,CA:FALSE") ||
		!add_ext(x, NID_key_usage, "critical,digitalSignature") ||
		!add_ext(x, NID_ext_key_usage, "serverAuth") ||
		!add_ext(x, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1") ||
		!add_ext(x, NID_subject_key_identifier, "hash") ||
		X509_sign(x, key, EVP_sha256()) <= 0) {
		fail(err, errlen, "building the certificate");
		X509_free(x);
		return NULL;
	}
	return x;
}

/* A new file, 0600 whatever the umask, never through a symlink nor over
 * an existing file: the key must be ours alone. */
static FILE *
create_private(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	FILE *f;

	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fchmod(fd, 0600) < 0 || !(f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return NULL;
	}
	return f;
}

static bool
write_pem(const char *path, EVP_PKEY *key, X509 *x, char *err, size_t errlen)
{
	FILE *f = create_private(path, err, errlen);
	bool ok;

	if (!f)
		return false;
	ok = key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1
		: PEM_write_X509(f, x) == 1;
	if (fclose(f) != 0 && ok) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		unlink(path);
		return false;
	}
	if (!ok) {
		unlink(path);
		return fail(err, errlen, path);
	}
	return true;
}

bool
tlscert_write(const char *dir, char **crt, char **key, char *err, size_t errlen)
{
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	char *crt_path = xasprintf("%s/tls.crt", dir), *key_path = xasprintf("%s/tls.key", dir);
	X509 *x = NULL;
	bool ok = false;

	*crt = *key = NULL;
	if (!pkey)
		fail(err, errlen, "generating the EC P-256 key");
	else if ((x = make_cert(pkey, err, errlen)) &&
		write_pem(key_path, pkey, NULL, err, errlen)) {
		ok = write_pem(crt_path, NULL, x, err, errlen);
		if (!ok)
			unlink(key_path);
	}
	X509_free(x);
	EVP_PKEY_free(pkey);
	if (ok) {
		*crt = crt_path;
		*key = key_path;
	} else {
		free(crt_path);
		free(key_path);
	}
	return ok;
}
