// Decrypts a cosign "ENCRYPTED COSIGN PRIVATE KEY" with golang.org/x/crypto (what cosign and
// containers/image use), checks it matches the public key, signs and verifies a message.
package main

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"

	"golang.org/x/crypto/nacl/secretbox"
	"golang.org/x/crypto/scrypt"
)

type encrypted struct {
	KDF struct {
		Name   string `json:"name"`
		Params struct {
			N int `json:"N"`
			R int `json:"r"`
			P int `json:"p"`
		} `json:"params"`
		Salt []byte `json:"salt"`
	} `json:"kdf"`
	Cipher struct {
		Name  string `json:"name"`
		Nonce []byte `json:"nonce"`
	} `json:"cipher"`
	Ciphertext []byte `json:"ciphertext"`
}

func fail(f string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, f+"\n", a...)
	os.Exit(1)
}

func main() {
	keyPEM, _ := os.ReadFile(os.Args[1])
	pubPEM, _ := os.ReadFile(os.Args[2])
	pass := os.Args[3]
	b, _ := pem.Decode(keyPEM)
	if b == nil || b.Type != "ENCRYPTED COSIGN PRIVATE KEY" {
		fail("not an ENCRYPTED COSIGN PRIVATE KEY")
	}
	var e encrypted
	if err := json.Unmarshal(b.Bytes, &e); err != nil {
		fail("json: %v", err)
	}
	if e.KDF.Name != "scrypt" || e.Cipher.Name != "nacl/secretbox" || e.KDF.Params.N != 32768 || e.KDF.Params.R != 8 || e.KDF.Params.P != 1 {
		fail("unexpected parameters %+v", e)
	}
	k, err := scrypt.Key([]byte(pass), e.KDF.Salt, e.KDF.Params.N, e.KDF.Params.R, e.KDF.Params.P, 32)
	if err != nil {
		fail("scrypt: %v", err)
	}
	var key [32]byte
	var nonce [24]byte
	copy(key[:], k)
	copy(nonce[:], e.Cipher.Nonce)
	plain, ok := secretbox.Open(nil, e.Ciphertext, &nonce, &key)
	if !ok {
		fail("decryption failed")
	}
	priv, err := x509.ParsePKCS8PrivateKey(plain)
	if err != nil {
		fail("pkcs8: %v", err)
	}
	ec, ok := priv.(*ecdsa.PrivateKey)
	if !ok || ec.Curve.Params().Name != "P-256" {
		fail("not an ECDSA P-256 key")
	}
	pb, _ := pem.Decode(pubPEM)
	pub, err := x509.ParsePKIXPublicKey(pb.Bytes)
	if err != nil {
		fail("public key: %v", err)
	}
	if !ec.PublicKey.Equal(pub) {
		fail("the private key does not match the public key")
	}
	h := sha256.Sum256([]byte("hull"))
	sig, _ := ecdsa.SignASN1(rand.Reader, ec, h[:])
	if !ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), h[:], sig) {
		fail("sign/verify failed")
	}
	fmt.Println("ok")
}
