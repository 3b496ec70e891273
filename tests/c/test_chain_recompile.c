/* A chain compiled again with another optimizer (the GAN lab switching its generator from Adam to
 * SGD, or to a frozen part) keeps no freed optimizer state: training and freeing it afterwards are
 * clean (this double-freed the Adam arrays and trapped in wasm). Every order of the three kinds. */
#include "nn.h"
#include "test.h"

static nn_model *mlp(int in, int out, int act, uint32_t seed)
{
    int shape[1] = {in};
    nn_model *m = nn_model_create(1, shape, seed);
    nn_model_add(m, nn_dense(8, NN_ACT_RELU));
    nn_model_add(m, nn_dense(out, act));
    return m;
}

static void test_recompile_then_free(void)
{
    nn_optimizer opts[3] = {nn_adam(0.01f), nn_sgd(0.01f), nn_momentum(0.01f, 0.9f, 0)};
    for (int a = 0; a < 3; a++) {
        for (int b = 0; b < 3; b++) {
            nn_model *g = mlp(2, 2, NN_ACT_LINEAR, 1), *d = mlp(2, 1, NN_ACT_SIGMOID, 2);
            nn_model *parts[2] = {g, d};
            char err[NN_ERR_LEN];
            nn_chain *c = nn_chain_create(parts, 2, err);
            CHECK(c != NULL);
            float x[16 * 2], y[16], loss = -1;
            nn_random_fill(x, 32, 1, 0.0f, 1.0f, 7);
            for (int i = 0; i < 16; i++) y[i] = 1;
            CHECK(nn_chain_compile(c, &opts[a], NN_LOSS_BCE) == NN_OK);
            CHECK(nn_chain_compile(c, &opts[b], NN_LOSS_BCE) == NN_OK);
            for (int s = 0; s < 3; s++) CHECK(nn_chain_train_batch(c, x, NN_DTYPE_FLOAT32, y, 16, &loss, NULL) == NN_OK && isfinite(loss));
            nn_chain_free(c);
            nn_model_free(g);
            nn_model_free(d);
        }
    }
}

int main(void)
{
    RUN(test_recompile_then_free);
    return nt_summary("test_chain_recompile");
}
