package io.github.crmsync.sandbox.salesforce;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

/**
 * The sandbox Pub/Sub API's TLS identity: a self-signed certificate for 127.0.0.1 and localhost,
 * made once per JVM (by the JDK's keytool) and trusted by the sandbox's gRPC channels only
 * ({@link SandboxChannelProvider}). camel-salesforce's Pub/Sub client always speaks TLS: its plain-text
 * switch is a setter on the consumer for Camel's own tests, not an endpoint option.
 */
public final class SandboxTls {

    private static final String PASSWORD = "sandbox-tls";
    /**
     * A system property naming a PEM file with a sandbox certificate to trust: a service started in a
     * JVM of its own (a test's replica) against simulators running in another.
     */
    public static final String TRUST_PROPERTY = "crmsync.sandbox.pubsub-trust";
    private static volatile SandboxTls instance;

    final PrivateKey key;
    final X509Certificate certificate;
    private final Path pem;

    private SandboxTls(PrivateKey key, X509Certificate certificate, Path pem) {
        this.key = key;
        this.certificate = certificate;
        this.pem = pem;
    }

    /** The certificate as a PEM file (deleted when this JVM ends), for {@link #TRUST_PROPERTY} of another JVM. */
    public Path certificateFile() {
        return pem;
    }

    /** The certificate named by {@link #TRUST_PROPERTY}, or null. */
    static X509Certificate trustedFromProperty() {
        String file = System.getProperty(TRUST_PROPERTY);
        if (file == null || file.isBlank()) {
            return null;
        }
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("The sandbox certificate in " + file + " could not be read: " + e, e);
        }
    }

    /** The JVM's sandbox certificate, made on first use. */
    public static SandboxTls get() {
        SandboxTls tls = instance;
        if (tls == null) {
            synchronized (SandboxTls.class) {
                if (instance == null) {
                    instance = generate();
                }
                tls = instance;
            }
        }
        return tls;
    }

    /** The certificate as a trust anchor, or null when no sandbox Pub/Sub server has started in this JVM. */
    static X509Certificate trustedIfMade() {
        SandboxTls tls = instance;
        return tls == null ? null : tls.certificate;
    }

    private static SandboxTls generate() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("sandbox-tls");
            Path store = dir.resolve("pubsub.p12");
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "pubsub", "-keyalg", "EC", "-groupname",
                    "secp256r1", "-dname", "CN=localhost, O=crmsync sandbox", "-ext", "san=ip:127.0.0.1,dns:localhost",
                    "-validity", "3650", "-keystore", store.toString(), "-storetype", "PKCS12",
                    "-storepass", PASSWORD, "-keypass", PASSWORD).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool could not make the sandbox certificate: " + output);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, PASSWORD.toCharArray());
            }
            X509Certificate certificate = (X509Certificate) ks.getCertificate("pubsub");
            Path pem = Files.createTempFile("sandbox-pubsub-", ".pem");
            pem.toFile().deleteOnExit();
            Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64,
                    "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
            return new SandboxTls((PrivateKey) ks.getKey("pubsub", PASSWORD.toCharArray()), certificate, pem);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("The sandbox certificate could not be made: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (dir != null) {
                try (var files = Files.list(dir)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Files.deleteIfExists(f);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // a temporary directory left behind
                }
            }
        }
    }
}
