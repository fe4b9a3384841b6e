// core/signing: Ed25519 checkpoints sign, verify, and fail on any change or another key.
#include "core/signing.h"

#include "gtest/gtest.h"

namespace goalsync::core {
namespace {

v1::Checkpoint Sample() {
  v1::Checkpoint c;
  c.set_workspace("acme");
  c.set_seq(42);
  c.set_hash(std::string(32, '\x07'));
  c.mutable_signed_at()->set_seconds(1790000000);
  return c;
}

TEST(SigningTest, ASignedCheckpointVerifiesAndAnyChangeBreaksIt) {
  auto key = GenerateSigningKey();
  ASSERT_TRUE(key.ok());
  v1::Checkpoint c = Sample();
  ASSERT_TRUE(SignCheckpoint(key->first, &c).ok());
  EXPECT_EQ(c.signature().size(), 64u);
  EXPECT_EQ(c.key_id(), *KeyId(key->second));
  EXPECT_TRUE(VerifyCheckpoint(key->second, c).ok());

  for (int field = 0; field < 4; ++field) {
    v1::Checkpoint changed = c;
    switch (field) {
      case 0: changed.set_seq(43); break;
      case 1: changed.set_workspace("acme2"); break;
      case 2: changed.mutable_hash()->back() ^= 1; break;
      default: changed.mutable_signed_at()->set_seconds(1790000001);
    }
    EXPECT_TRUE(absl::IsPermissionDenied(VerifyCheckpoint(key->second, changed))) << field;
  }
  auto other = GenerateSigningKey();
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(absl::IsPermissionDenied(VerifyCheckpoint(other->second, c)));
  EXPECT_TRUE(absl::IsInvalidArgument(VerifyCheckpoint("not a key", c)));
  EXPECT_EQ(*PublicKeyOf(key->first), key->second);
}

TEST(SigningTest, TheMessageIsCanonical) {
  EXPECT_EQ(CheckpointMessage(Sample()),
            "goalsync checkpoint v1\nacme\n42\n"
            "0707070707070707070707070707070707070707070707070707070707070707"
                "\n1790000000\n");
}

// A replica group's member names itself and its epoch in what it signs (docs/cluster.md); a
// single node's checkpoints keep the v1 message, so old checkpoints still verify.
TEST(SigningTest, AGroupMembersCheckpointSignsItsNodeAndEpoch) {
  v1::Checkpoint c = Sample();
  c.set_node_id("n2");
  c.set_epoch(7);
  EXPECT_EQ(CheckpointMessage(c),
            "goalsync checkpoint v2\nacme\n42\n"
            "0707070707070707070707070707070707070707070707070707070707070707"
                "\n1790000000\nn2\n7\n");
  auto key = GenerateSigningKey();
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(SignCheckpoint(key->first, &c).ok());
  EXPECT_TRUE(VerifyCheckpoint(key->second, c).ok());
  for (int field = 0; field < 4; ++field) {
    v1::Checkpoint changed = c;
    switch (field) {
      case 0: changed.set_node_id("n3"); break;  // another member's name
      case 1: changed.set_epoch(8); break;       // another epoch
      case 2: changed.clear_node_id(); break;
      default: changed.clear_node_id(), changed.clear_epoch();  // passed off as a single node's
    }
    EXPECT_TRUE(absl::IsPermissionDenied(VerifyCheckpoint(key->second, changed))) << field;
  }
}

}  // namespace
}  // namespace goalsync::core
