package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/api"
	"github.com/sird-project/sird/blob/fsblob"
	"github.com/sird-project/sird/blob/s3blob"
	"github.com/sird-project/sird/sigv4"
)

// DefaultListen is loopback so a fresh install is not reachable from the network.
const DefaultListen = "127.0.0.1:8300"

type serveFlags struct {
	storeFlags
	listen, publicURL, blobStore, logLevel string
	s3                                     s3blob.Config
	allowDevRemote, pprof                  bool
	uploadTTL, downloadTTL                 time.Duration
	notify                                 notifyFlags // notify.go
}

func serve(args []string) error {
	var f serveFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	f.register(fs)
	f.notify.register(fs)
	fs.StringVar(&f.listen, "listen", envOr("SIRD_LISTEN", DefaultListen), "address to listen on (env SIRD_LISTEN)")
	fs.StringVar(&f.publicURL, "public-url", os.Getenv("SIRD_PUBLIC_URL"), "base URL that presigned attachment links carry (default http://<listen>) (env SIRD_PUBLIC_URL)")
	fs.StringVar(&f.blobStore, "blob-store", envOr("SIRD_BLOB_STORE", "fs"), "attachment store: fs (under the data dir) or s3 (env SIRD_BLOB_STORE)")
	fs.StringVar(&f.s3.Endpoint, "s3-endpoint", os.Getenv("SIRD_S3_ENDPOINT"), "S3 endpoint URL (env SIRD_S3_ENDPOINT)")
	fs.StringVar(&f.s3.Bucket, "s3-bucket", os.Getenv("SIRD_S3_BUCKET"), "S3 bucket (env SIRD_S3_BUCKET)")
	fs.StringVar(&f.s3.Region, "s3-region", envOr("SIRD_S3_REGION", "us-east-1"), "S3 region (env SIRD_S3_REGION)")
	fs.StringVar(&f.s3.Prefix, "s3-prefix", os.Getenv("SIRD_S3_PREFIX"), "key prefix in the bucket (env SIRD_S3_PREFIX)")
	fs.BoolVar(&f.s3.PathStyle, "s3-path-style", true, "address the bucket in the path (most S3-compatible servers)")
	fs.BoolVar(&f.allowDevRemote, "allow-dev-credentials", false, "accept the test/test dev credentials even on a non-loopback address")
	fs.BoolVar(&f.pprof, "pprof", false, "serve Go profiles under /_sird/debug/pprof/ (opt-in)")
	fs.DurationVar(&f.uploadTTL, "upload-url-ttl", 15*time.Minute, "how long attachment upload URLs stay valid")
	fs.DurationVar(&f.downloadTTL, "download-url-ttl", 15*time.Minute, "how long attachment download URLs stay valid")
	fs.StringVar(&f.logLevel, "log-level", envOr("SIRD_LOG_LEVEL", "info"), "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f.s3.AccessKey, f.s3.SecretKey = os.Getenv("SIRD_S3_ACCESS_KEY"), os.Getenv("SIRD_S3_SECRET_KEY")

	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return err
	}
	loopback := isLoopback(ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	tuneRuntime(ctx) // runtime.go

	masterKey, err := f.masterKey()
	if err != nil {
		return err
	}
	st, err := f.open(ctx)
	if err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	defer st.Close()

	keys := sird.NewKeyring(st, masterKey, rand.Reader, time.Now)
	keys.AllowDev = loopback || f.allowDevRemote
	if !loopback && !f.allowDevRemote {
		// Off loopback sird must not fall back to the well-known dev pair:
		// with no keys, refuse to start rather than serve nobody or anybody.
		var n int
		if err := st.Read(ctx, func(tx sird.Tx) (err error) { n, err = tx.CountAccessKeys(); return err }); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("sird listens on %s beyond loopback and no access keys exist, so only the dev credentials test/test could sign in: create a key with `sird keys create`, or pass --allow-dev-credentials", ln.Addr())
		}
		log.Info("dev credentials test/test are off: sird listens beyond loopback")
	}

	svc := sird.NewService(sird.Config{Store: st, MasterKey: masterKey, Log: log})
	svc.UploadURLTTL, svc.DownloadURLTTL = f.uploadTTL, f.downloadTTL
	kick, stopNotifier, err := startNotifier(ctx, st, log, &f.notify)
	if err != nil {
		return err
	}
	defer stopNotifier() // before the store closes: attempts in flight record their outcome
	stopPruner, err := startPruner(ctx, st.Queue(), log, f.notify.outboxRetention)
	if err != nil {
		return err
	}
	defer stopPruner() // prune.go; also before the store closes
	svc.OnEvents = kick
	verifier := &sigv4.Verifier{Service: "security-ir", ValidRegion: api.ValidRegion, Now: time.Now}
	srv := api.New(svc, keys, verifier, log)

	publicURL := f.publicURL
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
	}
	var fsStore *fsblob.Store
	switch f.blobStore {
	case "fs":
		fsStore = fsblob.New(filepath.Join(f.dataDir, "blobs"), sird.DeriveKey(masterKey, "blob-urls"), publicURL, svc, time.Now)
		svc.SetBlobs(fsStore)
		srv.Handle("/_sird/blobs/", fsStore.Handler())
	case "s3":
		s3s, err := s3blob.New(ctx, f.s3)
		if err != nil {
			return err
		}
		svc.SetBlobs(s3s)
	default:
		return fmt.Errorf("unknown --blob-store %q (fs or s3)", f.blobStore)
	}
	if f.pprof {
		registerDebug(srv, st) // debug.go
	}

	go svc.RunCleaner(ctx, time.Minute)
	if fsStore != nil {
		go func() {
			t := time.NewTicker(time.Hour)
			defer t.Stop()
			for {
				fsStore.Sweep(time.Hour)
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}

	hs := api.NewHTTPServer(srv, slog.NewLogLogger(log.Handler(), slog.LevelWarn))
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	srv.SetReady(true)
	log.Info("sird is serving", "listen", ln.Addr().String(), "version", version, "store", storeKind(f.database), "blobs", f.blobStore)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	srv.SetReady(false)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func storeKind(dsn string) string {
	if dsn != "" {
		return "postgres"
	}
	return "sqlite"
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
