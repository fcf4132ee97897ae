package io.github.crmsync.sandbox.salesforce;

import io.grpc.ManagedChannelBuilder;
import io.grpc.ManagedChannelProvider;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;

import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.net.SocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/**
 * gRPC channels as Netty's provider makes them, but trusting the sandbox Pub/Sub API's self-signed
 * certificate ({@link SandboxTls}: this JVM's, or the one {@link SandboxTls#TRUST_PROPERTY} names)
 * besides the JDK's trusted authorities. Found through
 * {@code META-INF/services/io.grpc.ManagedChannelProvider} in the sandbox's resources, so it is on the
 * class path of the tests and of {@code mvn exec:java} only, never in the production artifact.
 */
public final class SandboxChannelProvider extends ManagedChannelProvider {

    @Override
    protected boolean isAvailable() {
        return true;
    }

    /** Above Netty's own provider (5). */
    @Override
    protected int priority() {
        return 6;
    }

    @Override
    protected ManagedChannelBuilder<?> builderForAddress(String name, int port) {
        return withSandboxTrust(NettyChannelBuilder.forAddress(name, port));
    }

    @Override
    protected ManagedChannelBuilder<?> builderForTarget(String target) {
        return withSandboxTrust(NettyChannelBuilder.forTarget(target));
    }

    @Override
    protected Collection<Class<? extends SocketAddress>> getSupportedSocketAddressTypes() {
        return List.of(java.net.InetSocketAddress.class);
    }

    private static NettyChannelBuilder withSandboxTrust(NettyChannelBuilder builder) {
        X509Certificate sandbox = SandboxTls.trustedIfMade();
        if (sandbox == null) {
            sandbox = SandboxTls.trustedFromProperty();
        }
        if (sandbox == null) {
            return builder;
        }
        try {
            SslContext context = GrpcSslContexts.forClient().trustManager(new AlsoTrusting(sandbox)).build();
            return builder.sslContext(context);
        } catch (SSLException | GeneralSecurityException e) {
            throw new IllegalStateException("The sandbox's TLS trust could not be set up: " + e, e);
        }
    }

    /** The JDK's default trust, and the sandbox certificate. */
    private static final class AlsoTrusting implements X509TrustManager {

        private final X509TrustManager jdk;
        private final X509Certificate sandbox;

        AlsoTrusting(X509Certificate sandbox) throws GeneralSecurityException {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            X509TrustManager found = null;
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    found = x;
                }
            }
            this.jdk = found;
            this.sandbox = sandbox;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            jdk.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain.length > 0 && chain[0].equals(sandbox)) {
                sandbox.checkValidity();
                return;
            }
            jdk.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            X509Certificate[] issuers = jdk.getAcceptedIssuers();
            X509Certificate[] all = java.util.Arrays.copyOf(issuers, issuers.length + 1);
            all[issuers.length] = sandbox;
            return all;
        }
    }
}
