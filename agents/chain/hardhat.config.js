// The Hardhat node of `emergent devnet --node hardhat` (and `simulate --node hardhat`): the same chain
// as the anvil devnet (chain id 31337, the test mnemonic, 10 accounts of 10,000 ETH, Cancun, a 30M
// block gas limit), so deployments, keys and gas figures carry over. Hardhat's cache goes to the temp
// directory: starting a node leaves the checkout unchanged. Only `hardhat node` uses this file; nothing
// is compiled by Hardhat (the contracts are Vyper, built by ape).
const os = require("os");
const path = require("path");

const cache = path.join(os.tmpdir(), "emergent-hardhat");

module.exports = {
  paths: { cache: path.join(cache, "cache"), artifacts: path.join(cache, "artifacts") },
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: "cancun",
      blockGasLimit: 30000000,
      initialBaseFeePerGas: 1000000000,
      accounts: {
        mnemonic: "test test test test test test test test test test test junk",
        count: Number(process.env.EMERGENT_DEVNET_ACCOUNTS || 10),
        accountsBalance: (BigInt(process.env.EMERGENT_DEVNET_BALANCE_ETH || 10000) * 10n ** 18n).toString(),
      },
      mining: { auto: true, interval: 0 },
      // like anvil and a real node: a transaction that reverts is mined (status 0), not refused at
      // eth_sendRawTransaction, so the agents settle it from its receipt on every node
      throwOnTransactionFailures: false,
      throwOnCallFailures: true,
      loggingEnabled: false,
    },
  },
};
